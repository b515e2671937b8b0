// A live run's own account, shared by the writers (see reports/live_account.hpp).
#include "reports/live_account.hpp"

#include <cstdint>

#include "reports/format.hpp"

namespace faultline::reports {

namespace {
using json = nlohmann::ordered_json;
std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }
std::string count_at(const json& value) { return count_text(value.get<std::uint64_t>()); }
std::string three_latencies(const json& g, const std::string& prefix) {
  return latency_text(g[prefix + "_p50_ms"].get<double>()) + " / " + latency_text(g[prefix + "_p99_ms"].get<double>()) + " / " +
         latency_text(g[prefix + "_max_ms"].get<double>());
}
}  // namespace

std::optional<LiveAccount> live_account(const json& report) {
  if (!report.contains("live")) return std::nullopt;
  const json& live = report["live"];
  const json& g = live["generator"];
  const json& c = live["connections"];
  LiveAccount account;
  account.started_at = text_of(live["started_at"]);
  account.host = text_of(live["host"]);
  account.kept_schedule = !g["bottleneck"].get<bool>();
  account.generator = {
      {"sends", count_at(g["sends"]) + " (" + count_at(g["late_sends"]) + " later than " +
                    latency_text(g["late_threshold_ms"].get<double>()) + ")"},
      {"lateness p50 / p99 / max", three_latencies(g, "lateness")},
      {"its own share of the latency p50 / p99 / max", three_latencies(g, "own_latency")},
      {"connections: opened / peak / bound", count_at(c["opened"]) + " / " + count_at(c["peak"]) + " / " + count_at(c["max"])},
      {"waits for a pooled connection / found closed by the server",
       count_at(c["pool_waits"]) + " / " + count_text(c.value("found_closed", std::uint64_t{0}))},
  };
  account.proxy_columns = {"proxy", "mode", "listen → upstream", "connections", "resets", "upstream failures",
                           "requests", "errors from upstream", "errors injected"};
  for (const json& p : live["proxies"]) {
    account.proxies.push_back({text_of(p["name"]), text_of(p["mode"]), text_of(p["listen"]) + " → " + text_of(p["upstream"]),
                               count_at(p["connections"]), count_at(p["connections_reset"]), count_at(p["upstream_failures"]),
                               count_at(p["requests"]), count_at(p["responses_error"]), count_at(p["injected_errors"])});
  }
  for (const json& f : live["skipped_faults"]) account.skipped_faults.push_back(text_of(f));
  return account;
}

std::string live_reproducibility(const std::string& what) {
  return "The arrival instants and the fault schedule follow from the seed; responses and timings do not, so this " + what +
         " differs from run to run.";
}

}  // namespace faultline::reports
