// The sweep verdict as text (stdout of `faultline sweep` / `merge`) and as Markdown.
#include <cmath>

#include "reports/format.hpp"
#include "reports/sweep_report.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string stat_text(const json& stats, const std::string& metric, const char* key) {
  const auto value = json_number(stats[key]);
  if (!value) return "—";
  if (metric.size() > 3 && metric.compare(metric.size() - 3, 3, "_ms") == 0) return latency_text(*value);
  if (metric == "availability" || metric == "min_availability") return percent(*value);
  if (metric == "recovered_after_s" || metric == "below_99_s" || metric == "longest_below_99_s") {
    return seconds_text_short(*value);
  }
  if (*value >= 0 && *value < 9e15 && *value == std::floor(*value)) return count_text(static_cast<std::uint64_t>(*value));
  return fixed(*value, 3);
}

std::string range_text(const json& seeds) {
  return std::to_string(seeds["first"].get<std::uint64_t>()) + "-" + std::to_string(seeds["last"].get<std::uint64_t>());
}

// The metrics worth a line in a summary: availability and the tail latency of each client,
// and the recovery of each fault.
struct KeyMetric {
  const char* group;
  const char* prefix;  // what the entity is, in the line
  const char* metric;
  const char* label;
};
constexpr KeyMetric kKeyMetrics[] = {
    {"clients", "client", "availability", "availability"},
    {"clients", "client", "p99_ms", "p99"},
    {"clients", "client", "timeouts", "timeouts"},
    {"clients", "client", "below_99_s", "time below 99% availability"},
    {"clients", "client", "longest_below_99_s", "longest stretch below 99%"},
    {"call_sites", "calls", "breaker_opens", "breaker openings (the caller's breakers)"},
    {"services", "service", "breaker_opens", "breaker openings of callers towards it"},
    {"faults", "fault", "recovered_after_s", "recovery"},
    {"faults", "fault", "failed_requests", "failed requests during it"},
};

// How bad a failing seed was, as the order of the list uses it.
std::string severity_text(const json& failure) {
  std::string out;
  if (const auto below = json_number(failure.value("below_99_s", json()))) {
    out += "users below 99% for " + seconds_text_short(*below);
  }
  if (const auto lowest = json_number(failure.value("lowest_availability", json()))) {
    out += (out.empty() ? "" : ", ") + std::string("lowest availability ") + percent(*lowest);
  }
  return out.empty() ? out : " (" + out + ")";
}

}  // namespace

std::string render_sweep_text(const json& sweep, std::size_t max_failures_listed) {
  std::string out = "sweep: " + sweep["scenario"]["name"].get<std::string>() + ", seeds " + range_text(sweep["seeds"]);
  if (sweep.contains("shard")) {
    out += " (shard " + std::to_string(sweep["shard"]["index"].get<std::uint64_t>()) + "/" +
           std::to_string(sweep["shard"]["count"].get<std::uint64_t>()) + " of " + range_text(sweep["shard"]["of_seeds"]) + ")";
  }
  const auto runs = sweep["runs"].get<std::uint64_t>();
  const auto passed = sweep["seeds_passed"].get<std::uint64_t>();
  out += "\n  " + std::to_string(passed) + " of " + std::to_string(runs) + " seeds pass (" +
         percent(sweep["pass_ratio"].get<double>(), 2) + ")";
  const auto limited = sweep["seeds_stopped_by_limit"].get<std::uint64_t>();
  if (limited > 0) out += ", " + std::to_string(limited) + " stopped by a limit";
  out += "\n";
  for (const json& a : sweep["assertions"]) {
    out += "  [" + percent(a["pass_ratio"].get<double>(), 1) + " pass] " + a["name"].get<std::string>() + ": expected " +
           a["expected"].get<std::string>() + "\n";
  }
  for (const KeyMetric& k : kKeyMetrics) {
    if (!sweep.contains(k.group)) continue;  // call_sites: absent from older sweep reports
    for (const json& e : sweep[k.group]) {
      if (!e.contains(k.metric)) continue;
      const json& s = e[k.metric];
      out += "  " + std::string(k.prefix) + " " + e["name"].get<std::string>() +
             " " + k.label + ": min " + stat_text(s, k.metric, "min") + ", median " + stat_text(s, k.metric, "median") +
             ", p95 " + stat_text(s, k.metric, "p95") + ", max " + stat_text(s, k.metric, "max");
      if (s["missing"].get<std::uint64_t>() > 0) out += " (" + std::to_string(s["missing"].get<std::uint64_t>()) + " seeds never)";
      out += "\n";
    }
  }
  const json& failures = sweep["failures"];
  if (!failures.empty()) {
    out += "failing seeds, worst first:\n";
    std::size_t listed = 0;
    for (const json& f : failures) {
      if (listed++ == max_failures_listed) {
        out += "  ... and " + std::to_string(failures.size() - max_failures_listed) + " more in sweep.json\n";
        break;
      }
      std::string what;
      for (const json& name : f["failed_assertions"]) what += (what.empty() ? "" : ", ") + name.get<std::string>();
      if (f["stop"] != "finished") what += (what.empty() ? "" : ", ") + std::string("stopped: ") + f["stop"].get<std::string>();
      out += "  seed " + std::to_string(f["seed"].get<std::uint64_t>()) + ": " + what + severity_text(f) + "\n    replay: " +
             f["replay"].get<std::string>() + "\n";
    }
  }
  out += sweep["passed"].get<bool>() ? "PASS" : "FAIL";
  out += "  sweep_hash " + sweep["sweep_hash"].get<std::string>().substr(0, 16) + "\n";
  return out;
}

std::string render_sweep_markdown(const json& sweep, std::size_t max_bytes) {
  const bool passed = sweep["passed"].get<bool>();
  std::string out = "## " + std::string(passed ? "✅ " : "❌ ") + markdown_cell(sweep["scenario"]["name"].get<std::string>()) +
                    ": " + std::to_string(sweep["seeds_passed"].get<std::uint64_t>()) + " of " +
                    std::to_string(sweep["runs"].get<std::uint64_t>()) + " seeds pass\n\n";
  out += "seeds " + range_text(sweep["seeds"]) + " · faultline " + sweep["faultline_version"].get<std::string>() +
         " · sweep hash `" + sweep["sweep_hash"].get<std::string>().substr(0, 16) + "`\n\n";
  if (!sweep["assertions"].empty()) {
    out += "| assertion | expected | pass ratio | observed min | median | p95 | max |\n";
    out += "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n";
    for (const json& a : sweep["assertions"]) {
      const json& v = a["observed_value"];
      auto cell = [&](const char* key) {
        const auto x = json_number(v[key]);
        return x ? fixed(*x, 4) : std::string("—");
      };
      out += "| " + markdown_cell(a["name"].get<std::string>()) + " | " + markdown_cell(a["expected"].get<std::string>()) +
             " | " + (a["pass_ratio"].get<double>() < 1 ? "**" + percent(a["pass_ratio"].get<double>(), 1) + "**"
                                                        : percent(a["pass_ratio"].get<double>(), 1)) +
             " | " + cell("min") + " | " + cell("median") + " | " + cell("p95") + " | " + cell("max") + " |\n";
    }
    out += "\n";
  }
  out += "| metric | min | median | p95 | max |\n| --- | ---: | ---: | ---: | ---: |\n";
  for (const KeyMetric& k : kKeyMetrics) {
    if (!sweep.contains(k.group)) continue;  // call_sites: absent from older sweep reports
    for (const json& e : sweep[k.group]) {
      if (!e.contains(k.metric)) continue;
      const json& s = e[k.metric];
      out += "| " + std::string(k.prefix) + " " + markdown_cell(e["name"].get<std::string>()) + " " + k.label + " | " + stat_text(s, k.metric, "min") + " | " +
             stat_text(s, k.metric, "median") + " | " + stat_text(s, k.metric, "p95") + " | " + stat_text(s, k.metric, "max") +
             " |\n";
    }
  }
  out += "\n";
  const json& failures = sweep["failures"];
  if (!failures.empty()) {
    std::string details = "<details><summary>Failing seeds (" + std::to_string(failures.size()) + ")</summary>\n\n";
    details += "| seed | failed | replay |\n| ---: | --- | --- |\n";
    for (const json& f : failures) {
      std::string what;
      for (const json& name : f["failed_assertions"]) what += (what.empty() ? "" : ", ") + name.get<std::string>();
      if (f["stop"] != "finished") what += (what.empty() ? "" : ", ") + std::string("stopped: ") + f["stop"].get<std::string>();
      const std::string row = "| " + std::to_string(f["seed"].get<std::uint64_t>()) + " | " + markdown_cell(what) + " | " +
                              markdown_code(f["replay"].get<std::string>(), true) + " |\n";
      if (out.size() + details.size() + row.size() + 200 > max_bytes) {
        details += "\n_More failing seeds are listed in sweep.json._\n";
        break;
      }
      details += row;
    }
    out += details + "\n</details>\n";
  }
  return out;
}

}  // namespace faultline::reports
