// `faultline compare`: the --fail-on grammar, verdict changes, metric directions, thresholds,
// seed noise for sweeps, different scenarios, every output format and the exit codes.
#include <catch2/catch.hpp>

#include <fstream>

#include "cli_helpers.hpp"
#include "reports/compare.hpp"
#include "reports/sweep_report.hpp"

using faultline::reports::compare_reports;
using faultline::reports::Comparison;
using faultline::reports::MetricDelta;
using faultline::reports::parse_thresholds;
using faultline::test::contains;
using faultline::test::fixture;
using faultline::test::read_file;
using faultline::test::run_faultline;
using faultline::test::ScratchDir;
using json = nlohmann::ordered_json;

namespace {

json demo_report(const ScratchDir& dir) {
  run_faultline("run " + fixture("demo-shop.json") + " --report " + (dir / "base.json"), dir);
  return json::parse(read_file(dir / "base.json"));
}

void write(const std::string& path, const json& document) { std::ofstream(path) << document.dump(2); }

const MetricDelta& row(const Comparison& c, const std::string& entity, const std::string& metric) {
  for (const MetricDelta& d : c.metrics) {
    if (d.entity == entity && d.metric == metric) return d;
  }
  FAIL("no row for " << entity << " " << metric);
  return c.metrics.front();
}

json& client(json& report, const std::string& name) {
  for (json& c : report["clients"]) {
    if (c["name"] == name) return c;
  }
  throw std::runtime_error("no client " + name);
}

// A synthetic sweep of `n` seeds whose client p99 is `center` plus a fixed spread.
json synthetic_sweep(double center, int n, double pass_ratio) {
  faultline::reports::SweepLayout layout;
  layout.assertions.push_back({"p99 bound", "latency", "p99 <= 50ms"});
  layout.metrics.push_back({"clients", "web", "p99_ms"});
  std::vector<faultline::reports::SeedRecord> records;
  for (int i = 0; i < n; ++i) {
    faultline::reports::SeedRecord r;
    r.seed = static_cast<std::uint64_t>(i + 1);
    r.passed = i < static_cast<int>(pass_ratio * n + 0.5);
    r.stop = "finished";
    r.trace_hash = "0x1";
    r.assertions_passed = {r.passed};
    r.assertion_values = {center};
    r.metrics = {center + ((i * 7) % 11 - 5) * 1.0};  // spread -5..+5 around the center
    records.push_back(r);
  }
  faultline::reports::SweepHeader header;
  header.faultline_version = "0.1.0";
  header.scenario_name = "synthetic";
  header.scenario_sha256 = "abc";
  header.first_seed = header.slice_first = 1;
  header.last_seed = header.slice_last = static_cast<std::uint64_t>(n);
  return faultline::reports::build_sweep_report(header, layout, records);
}

}  // namespace

TEST_CASE("thresholds for --fail-on parse in the documented grammar", "[compare]") {
  const auto t = parse_thresholds("availability=-0.1%, p99=+10%,recovery=+5s,p99.9@web=+20ms,errors=5,timeouts=+50%");
  REQUIRE(t.size() == 6);
  CHECK(t[0].metric == "availability");
  CHECK(t[0].direction == -1);
  CHECK(t[0].amount == Approx(0.001));
  CHECK_FALSE(t[0].relative);
  CHECK(t[1].metric == "p99_ms");
  CHECK(t[1].relative);
  CHECK(t[1].amount == Approx(0.10));
  CHECK(t[2].metric == "recovered_after_s");
  CHECK(t[2].amount == Approx(5.0));
  CHECK(t[3].metric == "p99_9_ms");
  CHECK(t[3].entity == "web");
  CHECK(t[3].amount == Approx(20.0));
  CHECK(t[4].direction == 1);  // no sign: the direction that is worse for the metric
  CHECK(t[4].amount == 5);
  CHECK(t[5].relative);
  CHECK_THROWS_AS(parse_thresholds("p99=10"), std::invalid_argument);  // a latency needs a unit
  CHECK_THROWS_AS(parse_thresholds("speed=+1%"), std::invalid_argument);
  CHECK_THROWS_AS(parse_thresholds("p99"), std::invalid_argument);
  CHECK_THROWS_AS(parse_thresholds("p99=+x"), std::invalid_argument);
  CHECK_THROWS_AS(parse_thresholds("availability=1s"), std::invalid_argument);
  CHECK_THROWS_AS(parse_thresholds("p99=+10%,"), std::invalid_argument);
}

TEST_CASE("a report compared with itself shows no change and exits 0", "[compare]") {
  ScratchDir dir("compare-same");
  demo_report(dir);
  const auto result = run_faultline("compare " + (dir / "base.json") + " " + (dir / "base.json") +
                                        " --fail-on availability=-0%,p99=+0%,recovery=+0s",
                                    dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "OK: no regression"));
  CHECK_FALSE(contains(result.out, "note:"));
}

TEST_CASE("an assertion that passed and now fails is a regression listed first", "[compare]") {
  ScratchDir dir("compare-verdict");
  json base = demo_report(dir);
  json candidate = base;
  candidate["assertions"][1]["passed"] = false;  // "web p99 under 150ms"
  candidate["assertions"][1]["observed"] = "p99 = 170.000ms";
  candidate["assertions"][0]["passed"] = true;  // "web availability" fixed
  write(dir / "candidate.json", candidate);
  const Comparison c = compare_reports(base, candidate, {});
  CHECK(c.regressions == 1);
  const auto result = run_faultline("compare " + (dir / "base.json") + " " + (dir / "candidate.json"), dir);
  CHECK(result.exit_code == 1);
  const auto newly = result.out.find("REGRESSION: newly failing");
  const auto fixed = result.out.find("fixed");
  REQUIRE(newly != std::string::npos);
  REQUIRE(fixed != std::string::npos);
  CHECK(newly < fixed);
  CHECK(contains(result.out, "observed p99 = "));
}

TEST_CASE("metric deltas are marked better or worse by the metric's direction", "[compare]") {
  ScratchDir dir("compare-direction");
  json base = demo_report(dir);
  json candidate = base;
  client(candidate, "web")["latency"]["p99_ms"] = client(base, "web")["latency"]["p99_ms"].get<double>() * 2;
  client(candidate, "web")["availability"] = 0.999;
  client(candidate, "web")["totals"]["timeouts"] = 0;
  const Comparison c = compare_reports(base, candidate, {});
  CHECK(row(c, "web", "p99_ms").verdict == -1);       // slower is worse
  CHECK(row(c, "web", "availability").verdict == 1);  // more available is better
  CHECK(row(c, "web", "p50_ms").verdict == 0);
  CHECK(c.regressions == 0);  // no thresholds: deltas alone are not regressions
}

TEST_CASE("a threshold crossed is a regression and one not crossed is not", "[compare]") {
  ScratchDir dir("compare-threshold");
  json base = demo_report(dir);
  const double p99 = client(base, "web")["latency"]["p99_ms"].get<double>();
  const double availability = client(base, "web")["availability"].get<double>();
  json small = base, large = base;
  client(small, "web")["latency"]["p99_ms"] = p99 * 1.05;
  client(small, "web")["availability"] = availability - 0.0005;
  client(large, "web")["latency"]["p99_ms"] = p99 * 1.25;
  client(large, "web")["availability"] = availability - 0.002;
  const auto thresholds = parse_thresholds("availability@web=-0.1%,p99@web=+10%");
  CHECK(compare_reports(base, small, thresholds).regressions == 0);
  const Comparison c = compare_reports(base, large, thresholds);
  CHECK(c.regressions == 2);
  CHECK(row(c, "web", "p99_ms").breached == std::vector<std::string>{"p99@web=+10%"});
  write(dir / "large.json", large);
  const auto result = run_faultline("compare " + (dir / "base.json") + " " + (dir / "large.json") + " --fail-on p99=+10%", dir);
  CHECK(result.exit_code == 1);
  CHECK(contains(result.out, "REGRESSION (p99=+10%)"));
  const auto usage = run_faultline("compare " + (dir / "base.json") + " " + (dir / "large.json") + " --fail-on p99=10", dir);
  CHECK(usage.exit_code == 2);
}

TEST_CASE("a fault that is never recovered from counts as worse than any recovery time", "[compare]") {
  ScratchDir dir("compare-recovery");
  json base = demo_report(dir);
  json candidate = base;
  REQUIRE(base["faults"][1]["recovery"]["recovered_after_s"].is_number());
  candidate["faults"][1]["recovery"]["recovered_after_s"] = nullptr;
  const Comparison c = compare_reports(base, candidate, parse_thresholds("recovery=+5s"));
  const MetricDelta& d = row(c, base["faults"][1]["name"].get<std::string>(), "recovered_after_s");
  CHECK(d.verdict == -1);
  CHECK(d.regression);
}

TEST_CASE("comparing reports of different scenarios works and says so plainly", "[compare]") {
  ScratchDir dir("compare-different");
  demo_report(dir);
  run_faultline("run " + fixture("tiny-sweep.json") + " --report " + (dir / "tiny.json"), dir);
  const auto result = run_faultline("compare " + (dir / "base.json") + " " + (dir / "tiny.json"), dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "note: These are different scenarios (demo-shop and tiny-sweep)"));
  CHECK(contains(result.out, "removed"));
  CHECK(contains(result.out, "added"));
}

TEST_CASE("a run report and a sweep report cannot be compared", "[compare]") {
  ScratchDir dir("compare-kinds");
  demo_report(dir);
  run_faultline("sweep " + fixture("tiny-sweep.json") + " --seeds 1-3 --out " + (dir / "sweep"), dir);
  const auto result = run_faultline("compare " + (dir / "base.json") + " " + (dir / "sweep"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "cannot compare a run report with a sweep report"));
  const auto missing = run_faultline("compare " + (dir / "base.json") + " " + (dir / "nothing.json"), dir);
  CHECK(missing.exit_code == 2);
}

TEST_CASE("sweep comparisons tell a real shift from seed noise", "[compare][sweep]") {
  const json base = synthetic_sweep(40.0, 30, 1.0);
  const auto thresholds = parse_thresholds("p99=+2%");
  // A 1 ms shift of the median against a ±5 ms spread over 30 seeds is noise.
  const Comparison noise = compare_reports(base, synthetic_sweep(41.0, 30, 1.0), thresholds);
  CHECK(row(noise, "web", "p99_ms").noise_known);
  CHECK(row(noise, "web", "p99_ms").within_noise);
  CHECK_FALSE(row(noise, "web", "p99_ms").breached.empty());
  CHECK(noise.regressions == 0);
  // A 10 ms shift is not.
  const Comparison shift = compare_reports(base, synthetic_sweep(50.0, 30, 1.0), thresholds);
  CHECK_FALSE(row(shift, "web", "p99_ms").within_noise);
  CHECK(shift.regressions == 1);
  // Pass ratios: 100% -> 97% over 30 seeds is noise; 100% -> 50% is a regression.
  CHECK(compare_reports(base, synthetic_sweep(40.0, 30, 0.97), {}).regressions == 0);
  const Comparison ratio = compare_reports(base, synthetic_sweep(40.0, 30, 0.5), {});
  CHECK(ratio.regressions == 1);
  CHECK(ratio.verdicts[0].change == "pass ratio down");
  CHECK(contains(faultline::reports::render_comparison_text(noise), "within seed noise"));
}

TEST_CASE("two sweep folders compare through the command line", "[compare][sweep]") {
  ScratchDir dir("compare-sweeps");
  run_faultline("sweep " + fixture("tiny-sweep.json") + " --seeds 1-8 --out " + (dir / "a"), dir);
  run_faultline("sweep " + fixture("tiny-sweep.json") + " --seeds 9-16 --out " + (dir / "b"), dir);
  const auto result = run_faultline("compare " + (dir / "a") + " " + (dir / "b") + " --format json", dir);
  CHECK(result.exit_code <= 1);
  const json out = json::parse(result.out);
  CHECK(out["compares"] == "sweep");
  CHECK(out["notes"][0].get<std::string>().find("seed ranges differ") != std::string::npos);
}

TEST_CASE("every output format renders the comparison", "[compare]") {
  ScratchDir dir("compare-formats");
  json base = demo_report(dir);
  json candidate = base;
  client(candidate, "web")["latency"]["p99_ms"] = 500.0;
  write(dir / "candidate.json", candidate);
  const std::string args = "compare " + (dir / "base.json") + " " + (dir / "candidate.json") + " --fail-on p99=+10%";
  const auto text = run_faultline(args, dir);
  CHECK(contains(text.out, "client web"));
  const auto md = run_faultline(args + " --format md", dir);
  CHECK(contains(md.out, "| client web | p99 |"));
  CHECK(contains(md.out, "**regression**"));
  const auto as_json = run_faultline(args + " --format json", dir);
  const json parsed = json::parse(as_json.out);
  CHECK(parsed["regressions"] == 1);
  bool found = false;
  for (const json& m : parsed["metrics"]) {
    if (m["name"] == "web" && m["metric"] == "p99_ms") {
      found = true;
      CHECK(m["candidate"] == 500.0);
      CHECK(m["verdict"] == "worse");
      CHECK(m["regression"] == true);
    }
  }
  CHECK(found);
  const auto html = run_faultline(args + " --format html --out " + (dir / "c.html"), dir);
  CHECK(html.exit_code == 1);
  const std::string page = read_file(dir / "c.html");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(page, "regression (p99=+10%)"));
  const auto bad = run_faultline(args + " --format yaml", dir);
  CHECK(bad.exit_code == 2);
}
