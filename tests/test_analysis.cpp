// The analysis layer (reports/analysis): fault windows, state spans, recovery, call depth and
// verdicts, computed once; and, through the real program, that the report, the assertions and
// the HTML report agree on them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"
#include "reports/analysis/measures.hpp"
#include "reports/analysis/windows.hpp"
#include "sim/breaker.hpp"
#include "sim/runtime.hpp"

using namespace faultline;
using namespace faultline::test;
using faults::FaultKind;
using sim::kSecond;

namespace {

sim::Counters bucket(std::uint64_t ok, std::uint64_t errors) {
  sim::Counters c;
  c.requests = ok + errors;
  c.ok = ok;
  c.errors = errors;
  return c;
}

sim::TimelineEntry instance_entry(sim::TimeNs at, std::uint32_t instance, sim::InstanceStatus status, std::uint32_t fault) {
  sim::TimelineEntry e;
  e.at = at;
  e.kind = sim::TimelineKind::instance_state;
  e.subject = instance;
  e.detail = static_cast<std::uint32_t>(status);
  e.extra = fault + 1;
  return e;
}

sim::TimelineEntry fault_start(sim::TimeNs at, std::uint32_t fault) {
  sim::TimelineEntry e;
  e.at = at;
  e.kind = sim::TimelineKind::fault_start;
  e.subject = fault;
  return e;
}

}  // namespace

TEST_CASE("recovery is the first window at or above the ratio, from the bucket holding the instant", "[analysis]") {
  // Buckets of 1 s: bad at 2-4, good from 5; windows with no answer are skipped.
  std::vector<sim::Counters> series = {bucket(10, 0), bucket(10, 0), bucket(1, 9), bucket(0, 10), bucket(5, 5),
                                       bucket(0, 0),  bucket(10, 0), bucket(10, 0), bucket(10, 0), bucket(10, 0)};
  const analysis::Recovery r = analysis::recover(series, kSecond, 3 * kSecond + kSecond / 2, 2, 0.99);
  REQUIRE(r.recovered);
  CHECK(r.window_start_ns == 5 * kSecond);  // [5, 6]: bucket 5 answered nothing, bucket 6 all ok
  CHECK(r.after_ns == kSecond + kSecond / 2);
  CHECK(r.window_end == 7);
  CHECK(analysis::lowest_availability(series, 2, r.window_end) == Approx(0.0));
  CHECK_FALSE(analysis::recover(series, kSecond, 0, 2, 1.01).recovered);
  // A window that does not fit before the end of the run is not a recovery.
  CHECK_FALSE(analysis::recover(series, kSecond, 9 * kSecond, 2, 0.5).recovered);
  CHECK(analysis::availability(bucket(0, 0)) == 1.0);
  CHECK(analysis::buckets_covering(2500 * sim::kMillisecond, kSecond) == 3);
}

TEST_CASE("call depth is the longest chain of calls, clients at 0", "[analysis]") {
  // client -> a; a -> b, a -> c, b -> c, b -> d, c -> d: c is at 3 and d at 4; e is never called.
  const std::vector<analysis::CallEdge> edges = {{sim::kNone, 0}, {0, 1}, {0, 2}, {1, 3}, {2, 3}, {1, 2}};
  const std::vector<std::uint32_t> depth = analysis::call_depths(5, edges);
  CHECK(depth == std::vector<std::uint32_t>{1, 2, 3, 4, 1});
}

TEST_CASE("a crash's window closes when the last instance it crashed is back", "[analysis]") {
  const std::vector<analysis::FaultTiming> timings = {{FaultKind::crash, 10 * kSecond, sim::kNever},
                                                      {FaultKind::crash, 20 * kSecond, sim::kNever},
                                                      {FaultKind::latency, 30 * kSecond, 5 * kSecond},
                                                      {FaultKind::latency, 90 * kSecond, 5 * kSecond}};
  const std::vector<sim::TimelineEntry> timeline = {
      fault_start(10 * kSecond, 0),
      instance_entry(10 * kSecond, 0, sim::InstanceStatus::crashed, 0),
      instance_entry(10 * kSecond, 1, sim::InstanceStatus::crashed, 0),
      fault_start(20 * kSecond, 1),
      instance_entry(20 * kSecond, 2, sim::InstanceStatus::crashed, 1),  // never back
      instance_entry(25 * kSecond, 0, sim::InstanceStatus::up, 0),
      fault_start(30 * kSecond, 2),
      instance_entry(40 * kSecond, 1, sim::InstanceStatus::up, 0),
  };
  const auto w = analysis::fault_windows(timings, timeline, 60 * kSecond);
  CHECK(w[0].start == 10 * kSecond);
  CHECK(w[0].end == -1);
  CHECK(w[0].restored == 40 * kSecond);
  CHECK(w[0].until(60 * kSecond) == 40 * kSecond);
  CHECK(w[1].restored == -1);
  CHECK(w[1].until(60 * kSecond) == 60 * kSecond);
  CHECK(w[2].end == 35 * kSecond);
  CHECK(w[2].restored == -1);
  CHECK_FALSE(w[3].started());  // after the end of the run
  // A fault the run never started (live mode skipped it) has no window; with a truncated
  // timeline the scenario's timing is trusted.
  const std::vector<sim::TimelineEntry> without_start = {};
  CHECK_FALSE(analysis::fault_windows(timings, without_start, 60 * kSecond)[2].started());
  CHECK(analysis::fault_windows(timings, without_start, 60 * kSecond, false)[2].started());
}

TEST_CASE("state spans: breakers open and half-open, instances not up", "[analysis]") {
  auto breaker = [](sim::TimeNs at, sim::BreakerState from, sim::BreakerState to) {
    sim::TimelineEntry e;
    e.at = at;
    e.kind = sim::TimelineKind::breaker;
    e.subject = 0;
    e.detail = static_cast<std::uint32_t>(from);
    e.extra = static_cast<std::uint32_t>(to);
    return e;
  };
  using B = sim::BreakerState;
  const std::vector<sim::TimelineEntry> timeline = {breaker(1, B::closed, B::open), breaker(5, B::open, B::half_open),
                                                    breaker(6, B::half_open, B::closed), breaker(9, B::closed, B::open),
                                                    instance_entry(2, 0, sim::InstanceStatus::paused, 0),
                                                    instance_entry(3, 0, sim::InstanceStatus::crashed, 0)};
  const auto spans = analysis::breaker_spans(1, timeline, 20);
  REQUIRE(spans[0].size() == 3);
  CHECK((spans[0][0].start_ns == 1 && spans[0][0].end_ns == 5 && spans[0][0].state == static_cast<std::uint8_t>(B::open)));
  CHECK((spans[0][1].start_ns == 5 && spans[0][1].end_ns == 6 && spans[0][1].state == static_cast<std::uint8_t>(B::half_open)));
  CHECK((spans[0][2].start_ns == 9 && spans[0][2].end_ns == 20));
  const auto outages = analysis::instance_outages(2, timeline, 20);
  REQUIRE(outages[0].size() == 2);
  CHECK((outages[0][0].end_ns == 3 && outages[0][1].end_ns == 20));
  CHECK(outages[1].empty());
}

TEST_CASE("a verdict on a run in progress is pending until its fault has started (and ended)", "[analysis]") {
  analysis::FaultWindow none, started, ended;
  started.start = 5;
  ended.start = 5;
  ended.end = 9;
  using V = analysis::Verdict;
  CHECK(analysis::verdict_so_far(false, true, &none, false) == V::pending);
  CHECK(analysis::verdict_so_far(false, false, &started, false) == V::fail);
  CHECK(analysis::verdict_so_far(false, true, &started, true) == V::pending);
  CHECK(analysis::verdict_so_far(false, true, &ended, true) == V::pass);
  CHECK(analysis::verdict_so_far(true, false, &none, true) == V::fail);  // the run is over: judged
  CHECK(analysis::verdict_so_far(false, true, nullptr, true) == V::pass);
}

TEST_CASE("run: the report's recovery, a recovery assertion of the same rule and the HTML agree", "[analysis][cli]") {
  ScratchDir scratch("analysis");
  // The library's crash scenario, with an assertion asking exactly what the report measures:
  // its only client, 5 buckets of 1 s, 99%, from the crash (it never ends).
  nlohmann::ordered_json scenario = nlohmann::ordered_json::parse(read_file(kSourceDir + "/scenarios/crash-discovery.json"));
  REQUIRE(scenario["clients"].size() == 1);
  scenario["assertions"] = nlohmann::ordered_json::array();
  scenario["assertions"].push_back({{"name", "same rule as the report"}, {"type", "recovery"}, {"fault", "payments-2-crash"},
                                    {"client", "checkout"}, {"window", "5s"}, {"min", "99%"}, {"max", "3m"}});
  std::ofstream(scratch / "s.json") << scenario.dump(2);
  const CommandResult r = run_faultline("run " + (scratch / "s.json") + " --seed 2 --report " + (scratch / "r.json") +
                                            " --html " + (scratch / "r.html"),
                                        scratch);
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(read_file(scratch / "r.json"));
  const auto& fault = report["faults"][0];
  CHECK(fault["kind"] == "crash");
  CHECK(fault["end"].is_null());
  // restart_after brings the crashed instance back: the window closes there, in the report...
  REQUIRE(fault["restored"].is_string());
  CHECK(std::stod(fault["restored"].get<std::string>()) == 120.0);  // crashed at 30 s, restart_after 90 s
  // ... and the report's recovery is the assertion's.
  REQUIRE(fault["recovery"]["recovered_after_s"].is_number());
  CHECK(fault["recovery"]["recovered_after_s"].get<double>() == Approx(report["assertions"][0]["observed_value"].get<double>()));
  // The HTML draws the crash up to its restoration, not as never reverted.
  const std::string html = read_file(scratch / "r.html");
  CHECK(html.find("until its instances were back") != std::string::npos);
  CHECK(html.find("(never reverted)") == std::string::npos);
}
