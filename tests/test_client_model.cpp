// Issue 12 through the real program: client-side state per calling instance, per-call-site
// counters on the caller's side, breaker transitions with their causes, and latency assertions
// that say what they measure.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"
#include "reports/format.hpp"

using faultline::test::kSourceDir;
using faultline::test::read_file;
using faultline::test::run_faultline;
using faultline::test::ScratchDir;
using nlohmann::json;

namespace {

json load_story(const std::string& name) { return json::parse(read_file(kSourceDir + "/scenarios/" + name)); }

// Runs `scenario` (written into `dir`) and returns its report.
json run_report(const json& scenario, const ScratchDir& dir, int expected_exit) {
  {
    std::ofstream out(dir / "scenario.json");
    out << scenario.dump(2);
  }
  const auto result = run_faultline("run " + dir / "scenario.json" + " --report " + dir / "report.json", dir);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == expected_exit);
  return json::parse(read_file(dir / "report.json"));
}

const json& site(const json& report, const std::string& caller, const std::string& callee) {
  for (const json& s : report["call_sites"]) {
    if (s["caller"] == caller && s["callee"] == callee) return s;
  }
  FAIL("no call site " << caller << " -> " << callee);
  static const json none;
  return none;
}

}  // namespace

TEST_CASE("six callers round-robin over six instances, one dead and listed: no breaker opens, 1/6 fail", "[model][scope]") {
  ScratchDir dir("client-state");
  json scenario = load_story("per-process-round-robin.json");
  scenario["assertions"] = json::array();
  const json report = run_report(scenario, dir, 0);
  const json& calls = site(report, "orders", "payments");
  CHECK(calls["scope"] == "caller_instance");
  CHECK(calls["breaker_opens"] == 0);
  CHECK(calls["short_circuited"] == 0);
  // Every 6th call of each orders process after the crash at 10s (of 60s) meets the dead one.
  const double failed = calls["failed"]["error"].get<double>();
  const double attempts = calls["attempts"].get<double>();
  CHECK(failed / attempts > (50.0 / 60.0) / 6.0 - 0.005);
  CHECK(failed / attempts < (50.0 / 60.0) / 6.0 + 0.005);
  CHECK(report["breakers"].empty());
}

TEST_CASE("with state shared by the calling service a breaker trips, labelled caller to callee with its cause", "[model][scope]") {
  ScratchDir dir("client-state-shared");
  json scenario = load_story("per-process-round-robin-before.json");
  scenario["assertions"] = json::array();
  const json report = run_report(scenario, dir, 0);
  const json& calls = site(report, "orders", "payments");
  CHECK(calls["scope"] == "caller_service");
  CHECK(calls["breaker_opens"].get<int>() >= 1);
  CHECK(calls["short_circuited"].get<int>() > 0);  // refused by the caller, never seen by payments
  REQUIRE_FALSE(report["breakers"].empty());
  const json& breaker = report["breakers"][0];
  CHECK(breaker["callee"] == "payments");
  CHECK(breaker["caller"].get<std::string>().rfind("orders#", 0) == 0);
  const json& trip = breaker["transitions"][0];
  CHECK(trip["to"] == "open");
  CHECK(trip["cause"]["kind"] == "tripped");
  CHECK(trip["cause"]["consecutive_failures"] == 6);  // gobreaker: more than 5
  CHECK(trip["cause"]["instance"] == "payments#3");
  CHECK(trip["cause"]["outcome"] == "error");
  CHECK(trip["why"] == "6 consecutive failures, the last error from payments#3");
}

TEST_CASE("a half-open probe's target and outcome are the cause of the next transition", "[model][breaker]") {
  ScratchDir dir("breaker-probe");
  json scenario = load_story("per-process-round-robin-before.json");
  scenario["assertions"] = json::array();
  scenario["services"][0]["calls"][0]["breaker"]["timeout"] = "5s";
  const json report = run_report(scenario, dir, 0);
  bool saw_timeout = false, saw_probe = false;
  for (const json& b : report["breakers"]) {
    for (const json& t : b["transitions"]) {
      if (t["from"] == "open") {
        CHECK(t["cause"]["kind"] == "timeout");
        saw_timeout = true;
      }
      if (t["from"] == "half-open") {
        CHECK(t["cause"]["kind"] == "probe");
        CHECK(t["cause"]["instance"].get<std::string>().rfind("payments#", 0) == 0);
        CHECK(t["why"].get<std::string>().rfind("probe to payments#", 0) == 0);
        saw_probe = true;
      }
    }
  }
  CHECK(saw_timeout);
  CHECK(saw_probe);
}

TEST_CASE("latency assertions say what they measure; include_failed counts failures as +inf", "[model][latency]") {
  ScratchDir dir("latency-failed");
  json scenario = load_story("per-process-round-robin.json");
  scenario["assertions"] = json::array({
      {{"name", "ok only"}, {"type", "latency"}, {"client", "gateway"}, {"percentile", 99}, {"max", "1s"}},
      {{"name", "all"}, {"type", "latency"}, {"client", "gateway"}, {"percentile", 99}, {"max", "1s"}, {"include_failed", true}},
      {{"name", "all p80"}, {"type", "latency"}, {"client", "gateway"}, {"percentile", 80}, {"max", "1s"}, {"include_failed", true}},
  });
  const json report = run_report(scenario, dir, 1);
  const json& a = report["assertions"];
  CHECK(a[0]["passed"] == true);
  CHECK(a[0]["expected"].get<std::string>().find("(ok requests)") != std::string::npos);
  // About 14% of requests fail, so p99 of all requests lands on a failure ...
  CHECK(a[1]["passed"] == false);
  CHECK(a[1]["expected"].get<std::string>().find("(all requests, failed as +inf)") != std::string::npos);
  CHECK(a[1]["observed"].get<std::string>().find("+inf") != std::string::npos);
  CHECK(a[1]["observed_value"].is_null());
  // ... and p80 does not.
  CHECK(a[2]["passed"] == true);
}

TEST_CASE("the impact assertion measures time below a threshold, its longest stretch and failures per fault", "[model][impact]") {
  ScratchDir dir("impact");
  json scenario = load_story("per-process-round-robin.json");
  scenario["assertions"] = json::array({
      {{"name", "short"}, {"type", "impact"}, {"client", "gateway"}, {"below", "99%"}, {"max", "30s"}},
      {{"name", "long"}, {"type", "impact"}, {"client", "gateway"}, {"below", "99%"}, {"max", "60s"}},
      {{"name", "low bar"}, {"type", "impact"}, {"below", "50%"}, {"max", "0s"}},
  });
  {
    std::ofstream out(dir / "scenario.json");
    out << scenario.dump(2);
  }
  // One run writes the report, the HTML and the Markdown summary.
  const auto run = run_faultline("run " + dir / "scenario.json" + " --report " + dir / "report.json" + " --html " +
                                     dir / "report.html" + " --summary " + dir / "summary.md",
                                 dir);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 1);
  const json report = json::parse(read_file(dir / "report.json"));
  const json& a = report["assertions"];
  // 1/6 of the requests fail in every bucket from the crash at 10s to the end at 60s.
  CHECK(a[0]["passed"] == false);
  CHECK(a[0]["observed_value"] == 50.0);
  const std::string observed = a[0]["observed"].get<std::string>();
  CHECK(observed.find("below 99% for 50s, longest 50s from 10s") != std::string::npos);
  CHECK(observed.find("failed requests during payments-3-crash: 50") != std::string::npos);
  CHECK(a[1]["passed"] == true);
  CHECK(a[2]["passed"] == true);
  CHECK(a[2]["observed_value"] == 0.0);

  // The report carries the same figures per client, whatever the assertions (the sweep reads
  // them from there): the same seconds below 99%, the same stretch, the same failed requests.
  REQUIRE(report["clients"].size() == 1);
  const json& impact = report["clients"][0]["impact"];
  CHECK(impact["threshold"] == 0.99);
  CHECK(impact["below_99_s"] == 50.0);
  CHECK(impact["longest_below_99_s"] == 50.0);
  CHECK(impact["longest_from"] == "10.000000000");
  REQUIRE(impact["failed_during_faults"].size() == 1);
  CHECK(impact["failed_during_faults"][0]["fault"] == "payments-3-crash");
  const auto failed = impact["failed_during_faults"][0]["failed_requests"].get<std::uint64_t>();
  CHECK(observed.find("failed requests during payments-3-crash: " + std::to_string(failed)) != std::string::npos);
  // About 1/6 of the requests from the crash on fail; the fault's figure sums the clients (one).
  const json& totals = report["clients"][0]["totals"];
  const double share = static_cast<double>(failed) / (totals["requests"].get<double>() * 50.0 / 60.0);
  CHECK(share == Approx(1.0 / 6.0).epsilon(0.05));
  CHECK(report["faults"][0]["failed_requests"] == failed);

  // The HTML and the Markdown summary show them.
  const std::string failed_text = faultline::reports::count_text(failed);
  const std::string html = read_file(dir / "report.html");
  const auto section = html.find("<h2 id=\"impact\">User impact</h2>");
  REQUIRE(section != std::string::npos);
  const std::string row = html.substr(html.find("<tr><td>gateway</td>", section), 300);
  CHECK(row.find(">50s<") != std::string::npos);
  CHECK(row.find("50s from 10s") != std::string::npos);
  CHECK(row.find("payments-3-crash: " + failed_text) != std::string::npos);
  const std::string summary = read_file(dir / "summary.md");
  CHECK(summary.find("### User impact") != std::string::npos);
  CHECK(summary.find("| gateway | 50s | 50s from 10s | payments-3-crash: " + failed_text + " |") != std::string::npos);

  // compare reads them through the typed report view: two runs compare as two sweeps do.
  const auto compared = run_faultline("compare " + dir / "report.json" + " " + dir / "report.json" + " --format json", dir);
  INFO(compared.out << compared.err);
  REQUIRE(compared.exit_code == 0);
  CHECK(compared.out.find("\"below_99_s\"") != std::string::npos);
  CHECK(compared.out.find("\"longest_below_99_s\"") != std::string::npos);
  CHECK(compared.out.find("\"failed_requests\"") != std::string::npos);
}
