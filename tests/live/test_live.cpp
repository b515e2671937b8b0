// Live mode through the real program: real servers on 127.0.0.1 (the project's backend,
// HAProxy), faultline's proxies and load generator between them. Every decision is on
// behaviour (which requests failed, where the traffic went, what the report says), never on
// how long something took; hang guards are generous.
#include <catch2/catch.hpp>

#include <sys/time.h>

#include <cerrno>
#include <fstream>
#include <set>

#include "live_helpers.hpp"

namespace faultline::test {
namespace {

const std::string kLiveData = kSourceDir + "/tests/data/live/";

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string binding_one_api(int listen, int upstream, const std::string& extra_service = "") {
  return R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(listen) +
         R"(/work", "max_connections": 64}},
  "services": {"api": {"instances": [{"listen": ")" + address(listen) + R"(", "upstream": ")" + address(upstream) +
         R"("}]})" + extra_service + "}}\n";
}

// Writes the scenario and its binding into `scratch`, runs `faultline live` on them with
// --report, and requires it to finish (exit 0); the report is scratch/report.json.
CommandResult run_live_report(const ScratchDir& scratch, const nlohmann::json& scenario, const std::string& binding) {
  write_text(scratch / "scenario.json", scenario.dump(2));
  write_text(scratch / "binding.json", binding);
  CommandResult result = run_faultline("live " + (scratch / "scenario.json") + " --bind " + (scratch / "binding.json") +
                                           " --report " + (scratch / "report.json"), scratch);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

// Sums a time-series field over the buckets [first, last).
std::uint64_t sum_series(const nlohmann::json& series, const char* field, std::size_t first, std::size_t last) {
  std::uint64_t total = 0;
  for (std::size_t b = first; b < last && b < series[field].size(); ++b) total += series[field][b].get<std::uint64_t>();
  return total;
}

double max_series(const nlohmann::json& series, const char* field, std::size_t first, std::size_t last) {
  double best = 0;
  for (std::size_t b = first; b < last && b < series[field].size(); ++b) best = std::max(best, series[field][b].get<double>());
  return best;
}

const nlohmann::json& proxy_named(const nlohmann::json& report, const std::string& name) {
  for (const auto& p : report["live"]["proxies"]) {
    if (p["name"] == name) return p;
  }
  FAIL("no proxy named " << name);
  static nlohmann::json none;
  return none;
}

// A scenario of one API instance and one open-loop client "users" at `rate` a second (timeout 1s).
nlohmann::json users_of_one_api(const std::string& name, const std::string& duration, double rate) {
  return {{"version", 1}, {"name", name}, {"seed", 1}, {"duration", duration}, {"zones", {"a"}},
          {"services", {{{"name", "api"}, {"instances", {{{"zone", "a"}, {"count", 1}}}}}}},
          {"clients", {{{"name", "users"}, {"zone", "a"}, {"service", "api"},
                        {"open_loop", {{"rate", rate}, {"arrivals", "constant"}}}, {"timeout", "1s"}}}}};
}

std::string haproxy_config(int frontend, const std::vector<int>& servers, const std::string& timing) {
  std::string cfg =
      "global\n  maxconn 4000\n"
      "defaults\n  mode http\n  timeout connect 200ms\n  timeout client 10s\n  timeout server 1s\n  timeout check 200ms\n"
      "  retries 1\n"
      "frontend fe\n  bind 127.0.0.1:" + std::to_string(frontend) + "\n  default_backend be\n"
      "backend be\n  balance roundrobin\n  option httpchk GET /health\n  default-server " + timing + "\n";
  for (std::size_t i = 0; i < servers.size(); ++i) {
    cfg += "  server b" + std::to_string(i) + " 127.0.0.1:" + std::to_string(servers[i]) + " check\n";
  }
  return cfg;
}

}  // namespace

TEST_CASE("live refuses a binding that does not match the scenario, before any load", "[live]") {
  ScratchDir scratch("live-binding");
  Backend backend(scratch, "api");
  REQUIRE(backend.ready());
  const std::string scenario = kLiveData + "direct-faults.json";
  const int listen = free_port();
  const std::string report = scratch / "report.json";
  struct Case {
    std::string binding;
    std::string pointer;
    std::string words;
  };
  const std::vector<Case> cases = {
      {binding_one_api(listen, backend.port, R"(, "payments": {"instances": []})"), "/services/payments", "unknown service \"payments\""},
      {R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(listen) +
           R"(/"}}, "services": {"api": {"instances": [{"listen": "127.0.0.1:1", "upstream": "127.0.0.1:2"}, {"listen": "127.0.0.1:3", "upstream": "127.0.0.1:4"}]}}})",
       "/services/api/instances", "expected 1 instances"},
      {binding_one_api(backend.port, backend.port), "/services/api/instances/0/listen", "in use"},
      {binding_one_api(listen, free_port()), "/services/api/instances/0/upstream", "unreachable"},
      {R"({"clients": {"nobody": {"url": "http://127.0.0.1:1/"}}})", "/clients/nobody", "unknown client \"nobody\""},
  };
  for (const Case& c : cases) {
    write_text(scratch / "binding.json", c.binding);
    // `live` is reached through the usual command table.
    const CommandResult live = run_faultline("live " + scenario + " --bind " + (scratch / "binding.json") + " --report " + report, scratch);
    INFO(live.err);
    CHECK(live.exit_code == 2);
    CHECK(contains(live.err, "binding.json:"));
    CHECK(contains(live.err, "at " + c.pointer));
    CHECK(contains(live.err, c.words));
    CHECK_FALSE(std::filesystem::exists(report));
  }
}

TEST_CASE("live refuses faults without a live meaning unless --skip-unsupported", "[live]") {
  ScratchDir scratch("live-unsupported");
  Backend backend(scratch, "api");
  REQUIRE(backend.ready());
  nlohmann::json scenario = read_json(kLiveData + "direct-faults.json");
  scenario["duration"] = "1s";
  scenario["faults"] = nlohmann::json::parse(R"([{"name": "registry-gone", "kind": "registry_outage", "at": "200ms", "duration": "300ms"}])");
  write_text(scratch / "scenario.json", scenario.dump(2));
  const int listen = free_port();
  write_text(scratch / "binding.json", binding_one_api(listen, backend.port));
  const std::string args = "live " + (scratch / "scenario.json") + " --bind " + (scratch / "binding.json") + " --report " +
                           (scratch / "report.json");
  const CommandResult refused = run_faultline(args, scratch);
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "fault \"registry-gone\" (registry_outage): no service registry is bound in live mode"));
  CHECK_FALSE(std::filesystem::exists(scratch / "report.json"));
  const CommandResult skipped = run_faultline(args + " --skip-unsupported", scratch);
  INFO(skipped.err);
  CHECK(skipped.exit_code == 0);
  CHECK(contains(skipped.err, "(skipped: --skip-unsupported)"));
  const nlohmann::json report = read_json(scratch / "report.json");
  CHECK(report["live"]["skipped_faults"] == nlohmann::json::array({"registry-gone"}));
  CHECK(report["faults"][0]["start"].is_null());
}

TEST_CASE("live applies the client's own rate limit, and a 429's Retry-After when the client honours it", "[live]") {
  ScratchDir scratch("live-rate-limits");
  // Every answer of this backend is a 429 asking to come back in 1s.
  Backend limited(scratch, "limited", {"--error-ratio", "1", "--error-status", "429", "--retry-after", "1"});
  Backend open(scratch, "open", {"--latency", "1ms"});
  REQUIRE(limited.ready());
  REQUIRE(open.ready());
  const nlohmann::json scenario = nlohmann::json::parse(R"({
    "version": 1, "name": "live-rate-limits", "seed": 1, "duration": "2s", "zones": ["a"],
    "services": [{"name": "api", "instances": [{"zone": "a", "count": 1}], "workers": 100}],
    "clients": [
      {"name": "bucketed", "zone": "a", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"}, "timeout": "1s",
       "rate_limit": {"rate": 20, "burst": 1}},
      {"name": "patient", "zone": "a", "service": "api", "open_loop": {"rate": 10, "arrivals": "constant"}, "timeout": "1s",
       "retry": {"max_attempts": 2, "retry_on": ["rate_limited"], "honour_retry_after": true}},
      {"name": "eager", "zone": "a", "service": "api", "open_loop": {"rate": 10, "arrivals": "constant"}, "timeout": "1s",
       "retry": {"max_attempts": 2, "retry_on": ["rate_limited"]}},
      {"name": "waiting", "zone": "a", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"}, "timeout": "1s",
       "rate_limit": {"rate": 20, "burst": 1, "wait": true}}
    ]})");
  const std::string limited_url = "http://127.0.0.1:" + std::to_string(limited.port) + "/";
  const CommandResult result = run_live_report(scratch, scenario,
                                               R"({"clients": {"bucketed": {"url": "http://127.0.0.1:)" + std::to_string(open.port) +
                                                   R"(/"}, "patient": {"url": ")" + limited_url + R"("}, "eager": {"url": ")" +
                                                   limited_url + R"("}, "waiting": {"url": "http://127.0.0.1:)" +
                                                   std::to_string(open.port) + R"(/"}}})" "\n");
  INFO(result.out << result.err);
  const nlohmann::json report = read_json(scratch / "report.json");
  // The bucket (20/s, burst 1) lets about 41 of the 200 requests through in 2s; the refused
  // ones are never sent and count as rejected, as in the engine.
  const nlohmann::json& bucketed = report["clients"][0]["totals"];
  INFO("bucketed " << bucketed.dump());
  CHECK(bucketed["ok"].get<std::uint64_t>() >= 15);
  CHECK(bucketed["ok"].get<std::uint64_t>() <= 45);
  CHECK(bucketed["rejected"].get<std::uint64_t>() + bucketed["ok"].get<std::uint64_t>() == bucketed["requests"].get<std::uint64_t>());
  CHECK(bucketed["errors"].get<std::uint64_t>() == 0);
  // Every 429 is rate_limited (a rejection) and retried once; the client that honours
  // Retry-After waits 1s before its retry, so its requests of the last second are still
  // waiting at the end (not counted), while the eager client's retry follows at once.
  const nlohmann::json& patient = report["clients"][1]["totals"];
  const nlohmann::json& eager = report["clients"][2]["totals"];
  INFO("patient " << patient.dump() << " eager " << eager.dump());
  for (const nlohmann::json* t : {&patient, &eager}) {
    CHECK((*t)["ok"].get<std::uint64_t>() == 0);
    CHECK((*t)["rejected"].get<std::uint64_t>() == (*t)["requests"].get<std::uint64_t>());
    CHECK((*t)["retries"].get<std::uint64_t>() >= (*t)["requests"].get<std::uint64_t>());
  }
  CHECK(eager["requests"].get<std::uint64_t>() >= 15);
  CHECK(patient["requests"].get<std::uint64_t>() <= 12);
  // With `wait`, x/time/rate's Wait: the first 26 arrivals (100/s against 20/s) each reserve the
  // next token and wait for it, 40ms more each; from then on the wait would pass the 1s timeout
  // for most arrivals, which are refused at once (rate_limited, never sent). The answered ones
  // waited up to a second for their tokens, so half of them took 300ms or more.
  const nlohmann::json& waiting = report["clients"][3];
  const nlohmann::json& waiting_site = report["call_sites"][3];
  INFO("waiting " << waiting["totals"].dump() << " latency " << waiting["latency"].dump() << " site " << waiting_site.dump());
  CHECK(waiting["totals"]["ok"].get<std::uint64_t>() >= 15);
  CHECK(waiting["totals"]["ok"].get<std::uint64_t>() <= 45);
  CHECK(waiting["totals"]["rejected"].get<std::uint64_t>() >= 50);
  CHECK(waiting["totals"]["errors"].get<std::uint64_t>() == 0);
  CHECK(waiting_site["rate_waited"].get<std::uint64_t>() >= 15);
  CHECK(waiting_site["throttled"].get<std::uint64_t>() == waiting["totals"]["rejected"].get<std::uint64_t>());
  CHECK(waiting["latency"]["p50_ms"].get<double>() >= 300);
}

TEST_CASE("live applies a client's breaker and its retries with backoff, with the engine's code", "[live]") {
  ScratchDir scratch("live-breaker-retries");
  // Every answer of this backend is a 500: the breaker trips and the retries find it failing too.
  Backend failing(scratch, "failing", {"--error-ratio", "1"});
  REQUIRE(failing.ready());
  const nlohmann::json scenario = nlohmann::json::parse(R"({
    "version": 1, "name": "live-breaker-retries", "seed": 1, "duration": "2s", "zones": ["a"],
    "services": [{"name": "api", "instances": [{"zone": "a", "count": 1}], "workers": 100}],
    "clients": [
      {"name": "guarded", "zone": "a", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"}, "timeout": "1s",
       "breaker": {"trip": {"consecutive_failures": 5}, "timeout": "300ms", "max_requests": 1}},
      {"name": "retrying", "zone": "a", "service": "api", "open_loop": {"rate": 20, "arrivals": "constant"}, "timeout": "1s",
       "retry": {"max_attempts": 3, "retry_on": ["error"], "backoff": {"base": "5ms", "max": "20ms", "jitter": "full"}}}
    ]})");
  const std::string url = "http://127.0.0.1:" + std::to_string(failing.port) + "/";
  const CommandResult result =
      run_live_report(scratch, scenario, R"({"clients": {"guarded": {"url": ")" + url + R"("}, "retrying": {"url": ")" + url + R"("}}})" "\n");
  INFO(result.out << result.err);
  const nlohmann::json report = read_json(scratch / "report.json");
  // The breaker opens after more than 5 consecutive failures, refuses for 300ms, lets one probe
  // through (which fails: open again), and so on: in 2s it opens several times, and most
  // requests are refused without being sent (rejected, short-circuited on the call site).
  const nlohmann::json& guarded = report["clients"][0]["totals"];
  INFO("guarded " << guarded.dump() << " breakers " << report["breakers"].dump());
  REQUIRE(report["breakers"].size() == 1);
  CHECK(report["breakers"][0]["opens"].get<std::uint64_t>() >= 2);
  CHECK(guarded["ok"].get<std::uint64_t>() == 0);
  CHECK(guarded["errors"].get<std::uint64_t>() >= 6);
  CHECK(guarded["rejected"].get<std::uint64_t>() > guarded["errors"].get<std::uint64_t>());
  CHECK(guarded["errors"].get<std::uint64_t>() + guarded["rejected"].get<std::uint64_t>() == guarded["requests"].get<std::uint64_t>());
  REQUIRE(report["call_sites"].size() == 2);
  CHECK(report["call_sites"][0]["short_circuited"] == guarded["rejected"]);
  // Each failed request is tried three times (no retry budget): two retries each, after a
  // backoff, and every attempt reaches the backend.
  const nlohmann::json& retrying = report["clients"][1]["totals"];
  INFO("retrying " << retrying.dump() << " site " << report["call_sites"][1].dump());
  CHECK(retrying["requests"].get<std::uint64_t>() >= 20);
  CHECK(retrying["errors"] == retrying["requests"]);
  CHECK(retrying["retries"].get<std::uint64_t>() == 2 * retrying["requests"].get<std::uint64_t>());
  CHECK(report["call_sites"][1]["attempts"].get<std::uint64_t>() == 3 * retrying["requests"].get<std::uint64_t>());
}

TEST_CASE("a generator that cannot keep its schedule is flagged, and its delay is in the latencies", "[live]") {
  ScratchDir scratch("live-bottleneck");
  Backend backend(scratch, "api");
  REQUIRE(backend.ready());
  // Ten million arrivals a second (the loader's limit): far more than one thread starts, whatever
  // the machine, so every run falls behind, by more the longer it runs. The run is bounded by
  // its 200ms: arrivals not started by then never are.
  const nlohmann::json scenario = nlohmann::json::parse(R"({
    "version": 1, "name": "live-bottleneck", "seed": 1, "duration": "200ms", "zones": ["a"],
    "services": [{"name": "api", "instances": [{"zone": "a", "count": 1}], "workers": 100}],
    "clients": [{"name": "flood", "zone": "a", "service": "api", "open_loop": {"rate": 10000000, "arrivals": "constant"},
                 "timeout": "1s"}]})");
  const CommandResult result = run_live_report(scratch, scenario,
                                               R"({"clients": {"flood": {"url": "http://127.0.0.1:)" + std::to_string(backend.port) +
                                                   R"(/", "max_connections": 512}}})" "\n");
  INFO(result.out << result.err);
  const nlohmann::json report = read_json(scratch / "report.json");
  const nlohmann::json& generator = report["live"]["generator"];
  const nlohmann::json& client = report["clients"][0];
  INFO("generator " << generator.dump() << " client " << client["totals"].dump() << " latency " << client["latency"].dump());
  CHECK(generator["bottleneck"] == true);
  CHECK(contains(result.out, "WARNING: the load generator fell behind its schedule"));
  CHECK(generator["late_sends"].get<std::uint64_t>() > 0);
  CHECK(generator["late_sends"].get<std::uint64_t>() <= generator["sends"].get<std::uint64_t>());
  CHECK(generator["sends"].get<std::uint64_t>() < 2'000'000);
  // It still read its answers while behind (it starts overdue arrivals 64 at a time), and
  // stopped at the end of the run.
  REQUIRE(client["totals"]["ok"].get<std::uint64_t>() > 100);
  // Latency is measured from each request's intended instant: the k-th send goes out about k
  // times the generator's cost per send late, and the backend answers at once (with connections
  // to spare), so the median answered request waited milliseconds for its send. Timed from the
  // actual send, it would be the backend's fraction of a millisecond.
  CHECK(client["latency"]["p50_ms"].get<double>() >= 5.0);
}

TEST_CASE("live refuses a client policy it does not apply (hedging) unless --skip-unsupported", "[live]") {
  ScratchDir scratch("live-hedging");
  Backend backend(scratch, "api");
  REQUIRE(backend.ready());
  nlohmann::json scenario = read_json(kLiveData + "direct-faults.json");
  scenario["duration"] = "1s";
  scenario["faults"] = nlohmann::json::array();
  scenario["clients"][0]["hedging"] = {{"max_attempts", 2}, {"delay", "50ms"}};
  write_text(scratch / "scenario.json", scenario.dump(2));
  write_text(scratch / "binding.json", R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(backend.port) + R"(/"}}})" "\n");
  const std::string args = "live " + (scratch / "scenario.json") + " --bind " + (scratch / "binding.json") + " --report " +
                           (scratch / "report.json");
  const CommandResult refused = run_faultline(args, scratch);
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "client \"users\": hedging is not applied by live mode's load generator"));
  CHECK_FALSE(std::filesystem::exists(scratch / "report.json"));
  const CommandResult skipped = run_faultline(args + " --skip-unsupported", scratch);
  INFO(skipped.err);
  CHECK(skipped.exit_code == 0);
  CHECK(contains(skipped.err, "hedging is not applied by live mode's load generator (it sends one attempt at a time) (skipped: --skip-unsupported)"));
  CHECK(read_json(scratch / "report.json")["clients"][0]["totals"]["ok"].get<std::uint64_t>() > 0);
}

TEST_CASE("live applies errors, slowdown and hang to real traffic and reports like run", "[live]") {
  ScratchDir scratch("live-direct");
  Backend backend(scratch, "api", {"--latency", "10ms"});
  REQUIRE(backend.ready());
  const int listen = free_port();
  write_text(scratch / "binding.json", binding_one_api(listen, backend.port));
  const CommandResult result = run_faultline(
      "live " + kLiveData + "direct-faults.json --bind " + (scratch / "binding.json") + " --seed 3 --report " +
          (scratch / "report.json") + " --junit " + (scratch / "junit.xml") + " --summary " + (scratch / "summary.md") +
          " --html " + (scratch / "report.html") + " --timeseries " + (scratch / "series.csv") + " --trace " +
          (scratch / "trace.json"),
      scratch);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json report = read_json(scratch / "report.json");
  // Marked live; nothing that pretends to be reproducible; what cannot be is recorded.
  CHECK(report["mode"] == "live");
  CHECK_FALSE(report.contains("trace_hash"));
  CHECK(report["live"]["started_at"].get<std::string>().size() == 20);
  CHECK_FALSE(report["live"]["host"].get<std::string>().empty());
  CHECK(contains(read_file(scratch / "junit.xml"), "name=\"mode\" value=\"live\""));
  CHECK(contains(read_file(scratch / "summary.md"), "live run"));
  CHECK(contains(read_file(scratch / "report.html"), "live run"));
  // The summary and the HTML report give the live run's own account: the generator's schedule
  // check, its connections, each proxy; they claim no reproducibility and no service latency.
  const std::string summary = read_file(scratch / "summary.md");
  const std::string html = read_file(scratch / "report.html");
  for (const std::string& text : {summary, html}) {
    CHECK(contains(text, "Live run"));
    CHECK(contains(text, "kept its schedule"));
    CHECK(contains(text, "found closed by the server"));
    CHECK(contains(text, "api/0"));
    CHECK(contains(text, "differs from run to run"));
  }
  CHECK(contains(summary, "| service | api | ") );
  CHECK(contains(summary, "| — | — | — | — |"));
  CHECK(contains(html, "latency not measured live"));
  CHECK_FALSE(contains(html, "always give this same file"));
  CHECK_FALSE(contains(html, "Over simulated time"));
  CHECK(std::filesystem::file_size(scratch / "series.csv") > 0);
  // The trace: each fault's start and end, and each request the proxy forwarded and got an
  // answer to as a span on the instance's track (the injected errors never reached it).
  const nlohmann::json trace = read_json(scratch / "trace.json");
  std::set<std::string> instants;
  std::uint64_t spans = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "i") instants.insert(e["name"].get<std::string>());
    if (e["ph"] == "X" && e["cat"] == "api") ++spans;
  }
  for (const char* fault : {"errors", "slow", "stuck"}) {
    CHECK(instants.count(std::string("fault start: ") + fault) == 1);
    CHECK(instants.count(std::string("fault end: ") + fault) == 1);
  }
  const nlohmann::json& api_proxy = proxy_named(report, "api/0");
  CHECK(spans == api_proxy["responses_ok"].get<std::uint64_t>() + api_proxy["responses_error"].get<std::uint64_t>());
  CHECK(spans > 300);
  // The arrivals follow the seeded schedule: every intended send was sent.
  const nlohmann::json& client = report["clients"][0];
  CHECK(report["live"]["generator"]["sends"].get<std::uint64_t>() >= client["totals"]["requests"].get<std::uint64_t>());
  CHECK(report["live"]["connections"]["peak"].get<std::uint64_t>() <= 64);
  const nlohmann::json& series = report["timeseries"]["clients"][0];
  // 500ms buckets: errors 1s-2.5s (buckets 2-4), slowdown 3s-4.5s (6-8), hang 5.5s-6.5s (11-12).
  const std::uint64_t before_errors = sum_series(series, "errors", 0, 2);
  const std::uint64_t window_requests = sum_series(series, "requests", 2, 5);
  const std::uint64_t window_errors = sum_series(series, "errors", 2, 5);
  CHECK(before_errors == 0);
  REQUIRE(window_requests > 50);
  const double share = static_cast<double>(window_errors) / static_cast<double>(window_requests);
  CHECK(share > 0.12);  // 30% asked for; far outside binomial spread either way would fail
  CHECK(share < 0.5);
  CHECK(proxy_named(report, "api/0")["injected_errors"].get<std::uint64_t>() >= window_errors / 2);
  // Slowdown: four-fold the upstream's time. The backend answers in no less than 10ms, so every
  // request in the window takes at least 40ms. A lower bound, because a busy machine only adds
  // time: comparing with the baseline's median failed under load (baseline 22ms, window 42ms).
  const double baseline_p50 = max_series(series, "p50_ms", 0, 2);
  REQUIRE(baseline_p50 > 0);
  CHECK(max_series(series, "p50_ms", 7, 9) > 35);
  // Hang: requests time out during it (300ms) and are answered after it. A machine under heavy
  // load also times out requests outside the hang, so the check compares shares, not counts: the
  // share of requests timing out in the hang's buckets is far above the share before and after.
  const auto timeout_share = [&](std::size_t first, std::size_t last) {
    const std::uint64_t requests = sum_series(series, "requests", first, last);
    return requests == 0 ? 0.0 : static_cast<double>(sum_series(series, "timeouts", first, last)) / static_cast<double>(requests);
  };
  const std::uint64_t hang_timeouts = sum_series(series, "timeouts", 11, 14);
  INFO("timeouts " << hang_timeouts << " in the hang; shares before " << timeout_share(0, 10) << ", in the hang "
                   << timeout_share(11, 14) << ", after " << timeout_share(14, 16));
  CHECK(hang_timeouts > 10);
  CHECK(timeout_share(0, 10) * 3 < timeout_share(11, 14));
  CHECK(sum_series(series, "ok", 14, 16) > 10);
  CHECK(timeout_share(14, 16) * 3 < timeout_share(11, 14));
}

TEST_CASE("live --trace-window keeps only the requests overlapping the window", "[live]") {
  ScratchDir scratch("live-trace-window");
  Backend backend(scratch, "api", {"--latency", "10ms"});
  REQUIRE(backend.ready());
  const int listen = free_port();
  write_text(scratch / "binding.json", binding_one_api(listen, backend.port));
  const std::string args = "live " + kLiveData + "direct-faults.json --bind " + (scratch / "binding.json") + " --report " +
                           (scratch / "report.json") + " --trace " + (scratch / "trace.json");
  // A window that ends before it starts is a usage error, before any load and with nothing written.
  const CommandResult backwards = run_faultline(args + " --trace-window 5s..1s", scratch);
  CHECK(backwards.exit_code == 2);
  CHECK(contains(backwards.err, "--trace-window: expected a duration after \"..\" later than the one before it"));
  CHECK_FALSE(std::filesystem::exists(scratch / "report.json"));
  // The slowdown's window, 3s to 4.5s from the run's start: every request span overlaps it.
  const CommandResult result = run_faultline(args + " --trace-window 3s..4500ms", scratch);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json trace = read_json(scratch / "trace.json");
  CHECK(trace["otherData"]["window_from_us"] == 3'000'000);
  CHECK(trace["otherData"]["window_to_us"] == 4'500'000);
  std::uint64_t spans = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] != "api") continue;
    ++spans;
    const std::int64_t start = e["ts"].get<std::int64_t>(), end = start + e["dur"].get<std::int64_t>();
    CHECK(end >= 3'000'000);
    CHECK(start < 4'500'000);
  }
  // 100 requests/s for 1.5s, all answered by the slowed backend; the whole run answered ~800.
  const nlohmann::json report = read_json(scratch / "report.json");
  const nlohmann::json& api_proxy = proxy_named(report, "api/0");
  CHECK(spans > 50);
  CHECK(spans < api_proxy["responses_ok"].get<std::uint64_t>() + api_proxy["responses_error"].get<std::uint64_t>());
}

TEST_CASE("live ramps a latency fault and applies errors and slowdown at the TCP level", "[live]") {
  ScratchDir scratch("live-tcp");
  Backend backend(scratch, "api", {"--latency", "10ms"});
  REQUIRE(backend.ready());
  const int listen = free_port();
  write_text(scratch / "binding.json", R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(listen) +
                                           R"(/", "max_connections": 64}},
    "services": {"api": {"mode": "tcp", "instances": [{"listen": ")" + address(listen) + R"(", "upstream": ")" +
                                           address(backend.port) + R"("}]}}})" + "\n");
  const CommandResult result = run_faultline("live " + kLiveData + "tcp-ramp.json --bind " + (scratch / "binding.json") +
                                                 " --report " + (scratch / "report.json"), scratch);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json report = read_json(scratch / "report.json");
  CHECK(report["live"]["skipped_faults"].empty());
  const nlohmann::json& series = report["timeseries"]["clients"][0];
  // 500ms buckets. The ramp (0.5s-2.5s, to 200ms over 2s): each request waits a share of 200ms
  // that grows with the time since the fault began, so the median climbs bucket by bucket.
  const double baseline = max_series(series, "p50_ms", 0, 1);
  const double early = max_series(series, "p50_ms", 1, 2);   // 0.5s-1s: at most 50ms added
  const double late = max_series(series, "p50_ms", 4, 5);    // 2s-2.5s: 150-200ms added
  INFO("p50 before " << baseline << " ms, ramp's first bucket " << early << " ms, its last " << late << " ms");
  REQUIRE(baseline > 0);
  CHECK(early < 100);
  CHECK(late > 120);
  CHECK(late > 2 * early);
  // Errors at the TCP level: the proxy resets connections instead of answering with a status.
  const std::uint64_t requests = sum_series(series, "requests", 6, 9);
  const std::uint64_t errors = sum_series(series, "errors", 6, 9);
  REQUIRE(requests > 50);
  CHECK(sum_series(series, "errors", 0, 6) == 0);
  CHECK(errors > requests / 10);  // half the chunks asked for; a reset on a reused connection is retried once
  CHECK(errors < requests * 3 / 4);
  const nlohmann::json& proxy = proxy_named(report, "api/0");
  CHECK(proxy["mode"] == "tcp");
  CHECK(proxy["injected_errors"].get<std::uint64_t>() >= errors);
  CHECK(proxy["connections_reset"].get<std::uint64_t>() >= errors);
  CHECK(proxy["requests"].get<std::uint64_t>() == 0);  // TCP mode frames no requests
  // Slowdown (5s-6.5s): each answer held back three times what the upstream took, which is at
  // least the backend's 10ms: at least 40ms per request (a lower bound that load cannot break).
  CHECK(sum_series(series, "errors", 10, 13) == 0);
  CHECK(max_series(series, "p50_ms", 11, 13) > 35);
}

TEST_CASE("a crash of the system under test is a result of the live run, not an error of faultline", "[live]") {
  ScratchDir scratch("live-sut-crash");
  // The backend stops by itself once it answered 150 requests (about 1.5s in at 100/s): the system
  // under test is gone. A count, not a time, so a slow start of faultline on a busy machine
  // cannot eat the served part (with "--max-seconds 2" it served only 47 under load).
  Backend backend(scratch, "api", {"--latency", "5ms", "--max-requests", "150"});
  REQUIRE(backend.ready());
  write_text(scratch / "binding.json", R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(backend.port) + R"(/"}}})" "\n");
  const CommandResult result = run_faultline("live " + kLiveData + "sut-crash.json --bind " + (scratch / "binding.json") +
                                                 " --report " + (scratch / "report.json") + " --junit " + (scratch / "junit.xml"), scratch);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);  // the availability assertion fails: a result
  CHECK_FALSE(contains(result.err, "error"));
  const nlohmann::json report = read_json(scratch / "report.json");
  CHECK(report["assertions"][0]["passed"] == false);
  CHECK(contains(read_file(scratch / "junit.xml"), "availability stays above 99%"));
  const nlohmann::json& series = report["timeseries"]["clients"][0];
  // 500ms buckets: served at first (the 150 it answered, less any cut short by its exit), refused at
  // the end (every request of the last second fails).
  const std::uint64_t ok = report["clients"][0]["totals"]["ok"].get<std::uint64_t>();
  CHECK(ok > 100);
  CHECK(ok <= 150);
  CHECK(sum_series(series, "ok", 0, 4) > 50);
  CHECK(sum_series(series, "ok", 8, 10) == 0);
  CHECK(sum_series(series, "errors", 8, 10) > 50);
  // Once it exited, nothing listens on its port: those connects are refused, and the report
  // counts them as the model counts a crashed instance's, connection_refused (of the errors),
  // on the caller's side of the client's call site.
  REQUIRE(report["call_sites"].size() == 1);
  const nlohmann::json& site = report["call_sites"][0];
  const std::uint64_t refused = site["failed"]["connection_refused"].get<std::uint64_t>();
  CHECK(refused > 50);
  CHECK(refused <= site["failed"]["error"].get<std::uint64_t>());
  CHECK(site["ok"] == ok);
  CHECK(site["attempts"] == report["clients"][0]["totals"]["requests"]);
}

TEST_CASE("closed-loop users and an open-loop client run on one event loop, each user one request at a time", "[live]") {
  ScratchDir scratch("live-closed");
  Backend backend(scratch, "api", {"--latency", "5ms"});
  REQUIRE(backend.ready());
  const std::string url = "http://127.0.0.1:" + std::to_string(backend.port) + "/";
  write_text(scratch / "binding.json", R"({"clients": {"browsers": {"url": ")" + url + R"("}, "batch": {"url": ")" + url + R"("}}})" "\n");
  const CommandResult result = run_faultline("live " + kLiveData + "closed-loop.json --bind " + (scratch / "binding.json") +
                                                 " --report " + (scratch / "report.json"), scratch);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json report = read_json(scratch / "report.json");
  const nlohmann::json& browsers = report["clients"][0];
  const nlohmann::json& batch = report["clients"][1];
  // Four users, each waiting for its answer and thinking 20ms: at most 2s / 25ms each.
  CHECK(browsers["totals"]["ok"].get<std::uint64_t>() > 20);
  CHECK(browsers["totals"]["requests"].get<std::uint64_t>() <= 4 * 80);
  CHECK(failed_requests(browsers) == 0);
  for (const auto& in_flight : report["timeseries"]["clients"][0]["in_flight"]) CHECK(in_flight.get<std::uint64_t>() <= 4);
  CHECK(batch["totals"]["ok"].get<std::uint64_t>() > 50);
  CHECK(failed_requests(batch) == 0);
  // The generator's own share of the latencies (its late sends, and the time answers waited in
  // the kernel before it read them) lies outside the backend's 5ms: every answered request took
  // at least its own share plus 5ms. It is never 0, since an answer is read after it arrives.
  const nlohmann::json& generator = report["live"]["generator"];
  INFO("generator " << generator.dump());
  const double own_max = generator["own_latency_max_ms"].get<double>();
  const double latency_max = std::max(browsers["latency"]["max_ms"].get<double>(), batch["latency"]["max_ms"].get<double>());
  CHECK(own_max > 0);
  CHECK(own_max + 5.0 <= latency_max + 0.002);  // both rounded to the microsecond
  CHECK(generator["own_latency_p50_ms"].get<double>() <= generator["own_latency_p99_ms"].get<double>());
  CHECK(generator["own_latency_p99_ms"].get<double>() <= own_max + 0.001);
}

TEST_CASE("the generator's pool drops the kept-alive connections a server closes when idle, and loses no request to them", "[live]") {
  // A server that closes a connection idle for 30ms (its keep-alive timeout), and a client that
  // sends every 100ms: every pooled connection is closed by the server before it would be used
  // again. The generator takes each one out of its pool when the close arrives, so no request is
  // sent on a closed connection and none fails; each request opens its own (the first may use
  // the one the warm-up opened before the run, unless the server closed that one first).
  ScratchDir scratch("live-idle-close");
  Backend backend(scratch, "api", {"--idle-timeout", "30ms"});
  REQUIRE(backend.ready());
  const nlohmann::json scenario = users_of_one_api("idle-close", "2s", 10);
  run_live_report(scratch, scenario,
                  R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(backend.port) + R"(/"}}})" "\n");
  const nlohmann::json report = read_json(scratch / "report.json");
  const nlohmann::json& users = report["clients"][0];
  INFO(report["live"].dump());
  const std::uint64_t requests = users["totals"]["requests"].get<std::uint64_t>();
  CHECK(requests >= 19);
  CHECK(users["totals"]["ok"].get<std::uint64_t>() == requests);
  CHECK(failed_requests(users) == 0);
  CHECK(users["totals"]["retries"].get<std::uint64_t>() == 0);
  CHECK(report["live"]["connections"]["found_closed"].get<std::uint64_t>() == 0);
  CHECK(report["live"]["connections"]["opened"].get<std::uint64_t>() >= requests);
  CHECK(report["live"]["connections"]["opened"].get<std::uint64_t>() <= requests + 1);
  CHECK(report["live"]["connections"]["peak"].get<std::uint64_t>() == 1);
}

TEST_CASE("a client's warm_connections opens that many connections before the run, and 0 starts its pool cold", "[live]") {
  // 10 requests a second to a backend that answers at once: one connection carries them all, so
  // every connection beyond the first was opened by the warm-up, before the first request.
  ScratchDir scratch("live-warm");
  Backend backend(scratch, "api");
  REQUIRE(backend.ready());
  const nlohmann::json scenario = users_of_one_api("warm", "1s", 10);
  auto run_with = [&](const std::string& warm) {
    run_live_report(scratch, scenario,
                    R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(backend.port) +
                        R"(/", "max_connections": 8)" + warm + "}}}\n");
    return read_json(scratch / "report.json");
  };
  const nlohmann::json warm = run_with(R"(, "warm_connections": 5)");
  INFO(warm["live"].dump());
  CHECK(failed_requests(warm["clients"][0]) == 0);
  CHECK(warm["live"]["connections"]["opened"].get<std::uint64_t>() >= 5);
  CHECK(warm["live"]["connections"]["peak"].get<std::uint64_t>() >= 5);
  // More than the pool's bound is capped at the bound.
  const nlohmann::json capped = run_with(R"(, "warm_connections": 50)");
  INFO(capped["live"].dump());
  CHECK(capped["live"]["connections"]["peak"].get<std::uint64_t>() == 8);
  const nlohmann::json cold = run_with(R"(, "warm_connections": 0)");
  INFO(cold["live"].dump());
  CHECK(failed_requests(cold["clients"][0]) == 0);
  CHECK(cold["live"]["connections"]["opened"].get<std::uint64_t>() >= 1);
  CHECK(cold["live"]["connections"]["opened"].get<std::uint64_t>() <= 2);  // 3 would take requests 100ms apart overlapping
}

TEST_CASE("SIGINT stops a live run during a fault: load stopped, the fault removed, listeners closed, nothing written, exit 4", "[live]") {
  ScratchDir scratch("live-sigint");
  Backend backend(scratch, "api", {"--latency", "1ms"});
  REQUIRE(backend.ready());
  const int listen = free_port();
  write_text(scratch / "binding.json", binding_one_api(listen, backend.port));
  // A long hang from 100ms on: the interrupt comes while it holds requests.
  nlohmann::json scenario = read_json(kLiveData + "direct-faults.json");
  scenario["duration"] = "60s";
  scenario["clients"][0]["open_loop"]["rate"] = 20;
  scenario["faults"] = nlohmann::json::parse(R"([{"name": "stuck", "kind": "hang", "target": {"service": "api"}, "at": "100ms", "duration": "50s"}])");
  write_text(scratch / "scenario.json", scenario.dump(2));
  const std::string report = scratch / "report.json";
  const std::string trace = scratch / "trace.json";
  const pid_t child = spawn_faultline({"live", scratch / "scenario.json", "--bind", scratch / "binding.json", "--report", report,
                                       "--trace", trace},
                                      scratch / "stderr.txt");
  // Our own request through the proxy, held by the hang: sent once the listener accepts, and
  // the interrupt follows once it has gone unanswered for a while (the hang is active).
  int held = -1;
  const auto hang_holds_a_request = [&] {
    if (held < 0) {
      if (!port_accepts(listen)) return false;
      held = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      to.sin_port = htons(static_cast<std::uint16_t>(listen));
      timeval wait{0, 300'000};
      ::setsockopt(held, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
      const std::string request = "GET /held HTTP/1.1\r\nHost: test\r\n\r\n";
      if (::connect(held, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 ||
          ::send(held, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        ::close(held);
        held = -1;
        return false;
      }
    }
    char byte = 0;
    const ssize_t n = ::recv(held, &byte, 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;  // unanswered: held
    ::close(held);  // answered (before the hang) or closed: try again with a fresh request
    held = -1;
    return false;
  };
  const int status = interrupt_when(child, hang_holds_a_request);
  REQUIRE(held >= 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 4);
  CHECK(contains(read_file(scratch / "stderr.txt"), "faults removed"));
  CHECK_FALSE(std::filesystem::exists(report));
  CHECK_FALSE(std::filesystem::exists(trace));
  CHECK_FALSE(port_accepts(listen));
  // The held request is let go: its connection ends (closed or reset) instead of hanging on.
  timeval guard{20, 0};
  ::setsockopt(held, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  char buffer[256];
  const ssize_t n = ::recv(held, buffer, sizeof buffer, 0);
  const int error = n < 0 ? errno : 0;
  ::close(held);
  CHECK((n == 0 || (n < 0 && error != EAGAIN && error != EWOULDBLOCK)));
}

TEST_CASE("HAProxy ejects a crashed backend: users lose requests only until its checks do, and the twin predicts it", "[live][haproxy]") {
  ScratchDir scratch("live-haproxy");
  std::vector<std::unique_ptr<Backend>> backends;
  for (int i = 0; i < 3; ++i) backends.push_back(std::make_unique<Backend>(scratch, "b" + std::to_string(i), std::vector<std::string>{"--latency", "5ms"}));
  for (auto& b : backends) REQUIRE(b->ready());
  const std::vector<int> proxies = {free_port(), free_port(), free_port()};
  const int frontend = free_port();
  write_text(scratch / "haproxy.cfg", haproxy_config(frontend, proxies, "inter 500ms fall 2 rise 2"));
  Child haproxy({"haproxy", "-db", "-f", scratch / "haproxy.cfg"}, scratch / "haproxy.log");
  REQUIRE(wait_for_port(frontend));
  std::string binding = R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(frontend) + R"(/checkout"}},
    "services": {"backend": {"instances": [)";
  for (int i = 0; i < 3; ++i) {
    binding += std::string(i ? ", " : "") + R"({"listen": ")" + address(proxies[i]) + R"(", "upstream": ")" + address(backends[i]->port) + "\"}";
  }
  write_text(scratch / "binding.json", binding + "]}}}\n");
  const std::string scenario = kLiveData + "haproxy-crash.json";
  const CommandResult live = run_faultline("live " + scenario + " --bind " + (scratch / "binding.json") + " --report " +
                                               (scratch / "live.json") + " --trace " + (scratch / "trace.json") +
                                               " --trace-max-events 100", scratch);
  INFO(live.out << live.err << read_file(scratch / "haproxy.log"));
  REQUIRE((live.exit_code == 0 || live.exit_code == 1));
  // The trace, capped at 100 events: the crash and the proxy going down and up are in it, the
  // requests only up to the cap, and live says that the cap cut it.
  const nlohmann::json trace = read_json(scratch / "trace.json");
  std::uint64_t request_events = 0, instance_events = 0, fault_events = 0;
  for (const auto& e : trace["traceEvents"]) {
    request_events += e["ph"] == "X" ? 1 : 0;
    instance_events += e["ph"] == "i" && e["cat"] == "instance" ? 1 : 0;
    fault_events += e["ph"] == "i" && e["cat"] == "fault" ? 1 : 0;
  }
  CHECK(fault_events >= 1);
  CHECK(instance_events == 2);  // backend/0 down at the crash, up at its restart
  CHECK(request_events > 0);
  CHECK(2 * request_events <= 100);
  CHECK(trace["otherData"]["events_dropped"].get<std::uint64_t>() > 0);
  CHECK(contains(live.err, "more were left out"));
  const CommandResult sim = run_faultline("run " + scenario + " --report " + (scratch / "sim.json"), scratch);
  REQUIRE(sim.exit_code == 0);
  const nlohmann::json live_report = read_json(scratch / "live.json");
  const nlohmann::json sim_report = read_json(scratch / "sim.json");
  const nlohmann::json& series = live_report["timeseries"]["clients"][0];
  // 1s buckets; the crash is at 3s. Before it HAProxy had every server up and nothing failed.
  REQUIRE(sum_series(series, "ok", 2, 3) > 100);
  REQUIRE(sum_series(series, "requests", 2, 3) == sum_series(series, "ok", 2, 3));
  const std::uint64_t lost = sum_series(series, "requests", 3, 5) - sum_series(series, "ok", 3, 5);
  // The bound: a third of 200 requests/s for inter x fall = 1s, plus what was in flight.
  const double bound = 200.0 / 3.0 * 0.5 * 2 + 10;
  INFO("lost " << lost << " of the users' requests after the crash");
  CHECK(lost > 0);
  CHECK(static_cast<double>(lost) <= bound);
  // Once ejected nothing more is lost, and after the restart the backend serves again.
  CHECK(sum_series(series, "requests", 5, 10) == sum_series(series, "ok", 5, 10));
  const double b0 = proxy_named(live_report, "backend/0")["responses_ok"].get<double>();
  const double b1 = proxy_named(live_report, "backend/1")["responses_ok"].get<double>();
  CHECK(b0 > 0.35 * b1);  // ~0.25 if it had never come back, ~0.45 when it does
  // Test 2, the twin: the simulator's prediction of the same figure, within a stated
  // tolerance: the health checks' phase moves detection by up to one interval (500ms), i.e.
  // by up to 200/3 x 0.5 = 34 requests, plus a few in flight.
  const nlohmann::json& sim_series = sim_report["timeseries"]["clients"][0];
  const std::uint64_t predicted = sum_series(sim_series, "requests", 3, 5) - sum_series(sim_series, "ok", 3, 5);
  INFO("predicted " << predicted << ", measured " << lost);
  CHECK(std::abs(static_cast<double>(predicted) - static_cast<double>(lost)) <= 200.0 / 3.0 * 0.5 + 10);
  // faultline compare shows prediction against measurement and ends with a plain statement.
  const CommandResult compared = run_faultline("compare " + (scratch / "sim.json") + " " + (scratch / "live.json") +
                                                   " --tolerance 100% --availability-tolerance 5", scratch);
  INFO(compared.out << compared.err);
  CHECK(contains(compared.out, "client users"));
  CHECK(contains(compared.out, "failed requests"));
  CHECK((contains(compared.out, "The model and reality agree within the tolerance") ||
         contains(compared.out, "The model and reality differ beyond the tolerance")));
  CHECK(compared.exit_code == (contains(compared.out, "agree within") ? 0 : 1));
}

TEST_CASE("a zone partition blackholes the proxies across it until HAProxy's checks route around them", "[live][haproxy]") {
  ScratchDir scratch("live-partition");
  std::vector<std::unique_ptr<Backend>> backends;
  for (int i = 0; i < 3; ++i) backends.push_back(std::make_unique<Backend>(scratch, "b" + std::to_string(i), std::vector<std::string>{"--latency", "5ms"}));
  for (auto& b : backends) REQUIRE(b->ready());
  const std::vector<int> proxies = {free_port(), free_port(), free_port()};
  const int frontend = free_port();
  write_text(scratch / "haproxy.cfg", haproxy_config(frontend, proxies, "inter 300ms fall 2 rise 2"));
  Child haproxy({"haproxy", "-db", "-f", scratch / "haproxy.cfg"}, scratch / "haproxy.log");
  REQUIRE(wait_for_port(frontend));
  std::string binding = R"({"clients": {"users": {"url": "http://127.0.0.1:)" + std::to_string(frontend) + R"(/"}},
    "services": {"backend": {"instances": [)";
  for (int i = 0; i < 3; ++i) {
    binding += std::string(i ? ", " : "") + R"({"listen": ")" + address(proxies[i]) + R"(", "upstream": ")" +
               address(backends[i]->port) + R"(", "caller_zone": "a"})";
  }
  write_text(scratch / "binding.json", binding + "]}}}\n");
  const CommandResult live = run_faultline("live " + kLiveData + "zone-partition.json --bind " + (scratch / "binding.json") +
                                               " --report " + (scratch / "live.json"), scratch);
  INFO(live.out << live.err);
  REQUIRE((live.exit_code == 0 || live.exit_code == 1));
  const nlohmann::json report = read_json(scratch / "live.json");
  const nlohmann::json& series = report["timeseries"]["clients"][0];
  // Partition 2s-6s (1s buckets): requests sent across it fail until the checks take the two
  // zone-b backends out; in its last second everything is served by zone a.
  REQUIRE(sum_series(series, "requests", 1, 2) == sum_series(series, "ok", 1, 2));
  CHECK(sum_series(series, "requests", 2, 4) > sum_series(series, "ok", 2, 4));
  CHECK(sum_series(series, "requests", 5, 6) == sum_series(series, "ok", 5, 6));
  CHECK(sum_series(series, "ok", 5, 6) > 100);
  const double a = proxy_named(report, "backend/0")["responses_ok"].get<double>();
  const double b = proxy_named(report, "backend/1")["responses_ok"].get<double>();
  CHECK(a > 1.5 * b);  // zone a served the partition alone
}

}  // namespace faultline::test
