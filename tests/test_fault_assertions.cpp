// The assertions about faults (harness/fault_assertions.cpp): recovery after a fault, a
// breaker's reaction to it, and traffic that still reaches the instances it crashed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "faults/injector.hpp"
#include "harness/assertions.hpp"
#include "model_builders.hpp"
#include "sim/engine.hpp"

using namespace faultline;
using namespace faultline::testing;
using faults::FaultKind;
using harness::AssertionKind;
using harness::AssertionSpec;
using sim::kMillisecond;
using sim::kSecond;

namespace {

faults::FaultSpec make_fault(const std::string& name, FaultKind kind, sim::TimeNs at, sim::TimeNs duration = sim::kNever) {
  return faults::make_fault_spec(name, kind, at, duration);
}

std::vector<reports::AssertionResult> judge(const harness::Scenario& scenario) {
  sim::Engine engine(scenario.model);
  faults::Injector injector(scenario.faults, engine);
  engine.run();
  return harness::evaluate_assertions(scenario, engine);
}

AssertionSpec recovery(std::uint32_t fault, double min_ratio, sim::TimeNs window, sim::TimeNs max) {
  AssertionSpec a;
  a.name = "recovery";
  a.kind = AssertionKind::recovery;
  a.target_kind = harness::TargetKind::client;
  a.target = 0;
  a.fault = fault;
  a.min_ratio = min_ratio;
  a.window_ns = window;
  a.max_ns = max;
  return a;
}

// A client calling one service of four instances, no retries, views refreshed every 5s after
// checks every 1s (2 failures): a crash costs a quarter of the traffic for up to 7s.
harness::Scenario crash_scenario() {
  harness::Scenario s;
  s.model = model(1, 60 * kSecond);
  s.model.discovery.health_check_interval_ns = 1 * kSecond;
  s.model.discovery.unhealthy_threshold = 2;
  s.model.discovery.refresh_interval_ns = 5 * kSecond;
  s.model.services.push_back(service("api", 4, 4, exp_ms(1.0)));
  s.model.clients.push_back(open_client("load", 0, 200.0));
  auto crash = make_fault("crash", FaultKind::crash, 20 * kSecond);
  crash.target.service = 0;
  crash.target.instances = {1};
  s.faults.push_back(crash);
  return s;
}

}  // namespace

TEST_CASE("recovery after a fault that never ends is measured from its start", "[assertions][faults]") {
  harness::Scenario s = crash_scenario();
  s.assertions.push_back(recovery(0, 0.999, 5 * kSecond, 8 * kSecond));
  s.assertions.push_back(recovery(0, 0.999, 5 * kSecond, 2 * kSecond));
  const auto results = judge(s);
  CHECK(results[0].passed);
  CHECK(results[0].expected.find("of the start of fault crash") != std::string::npos);
  CHECK(results[0].observed_value > 2.0);  // discovery needed more than 2s
  CHECK(results[0].observed_value <= 8.0);
  CHECK_FALSE(results[1].passed);
}

TEST_CASE("recovery fails when availability never comes back", "[assertions][faults]") {
  harness::Scenario s = crash_scenario();
  s.model.discovery.health_checks = false;  // nothing ever removes the dead instance
  s.assertions.push_back(recovery(0, 0.99, 5 * kSecond, 30 * kSecond));
  const auto results = judge(s);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].observed == "not recovered by the end of the run");
}

TEST_CASE("no_traffic_to_crashed judges the crashes of its own fault only", "[assertions][faults]") {
  harness::Scenario s = crash_scenario();
  // A second crash whose instance stays listed (stale entries) for 20s: callers keep sending.
  auto stale = make_fault("stale", FaultKind::stale_entries, 35 * kSecond, 20 * kSecond);
  stale.target.service = 0;
  stale.target.instances = {3};
  auto crash3 = make_fault("crash-3", FaultKind::crash, 35 * kSecond);
  crash3.target.service = 0;
  crash3.target.instances = {3};
  s.faults.push_back(stale);
  s.faults.push_back(crash3);
  for (std::uint32_t fault : {0u, 2u}) {
    AssertionSpec a;
    a.name = "no traffic " + std::to_string(fault);
    a.kind = AssertionKind::no_traffic_to_crashed;
    a.fault = fault;
    a.within_ns = 8 * kSecond;
    s.assertions.push_back(a);
  }
  const auto results = judge(s);
  CHECK(results[0].passed);   // discovery removed api#1 within 1s x 2 + 1s + 5s
  CHECK_FALSE(results[1].passed);  // api#3 was kept listed for 20s
  CHECK(results[1].observed_value > 15.0);
  CHECK(results[1].observed.find("api#3") != std::string::npos);
}

TEST_CASE("a breaker assertion takes each breaker's first closing after the fault's end", "[assertions][faults]") {
  harness::Scenario s;
  s.model = model(2, 120 * kSecond);
  s.model.services.push_back(service("front", 2, 8, exp_ms(1.0)));
  s.model.services.push_back(service("back", 2, 8, exp_ms(1.0)));
  sim::Step step;
  auto dependency = call(1);
  dependency.policy.breaker.enabled = true;
  dependency.policy.breaker.consecutive_failures = 5;
  dependency.policy.breaker.timeout_ns = 2 * kSecond;
  step.calls.push_back(dependency);
  s.model.services[0].operations[0].steps.push_back(step);
  s.model.clients.push_back(open_client("load", 0, 200.0));
  auto first = make_fault("first", FaultKind::error_ratio, 20 * kSecond, 20 * kSecond);
  first.target.service = 1;
  auto second = make_fault("second", FaultKind::error_ratio, 70 * kSecond);  // never ends
  second.target.service = 1;
  s.faults = {first, second};
  AssertionSpec a;
  a.name = "breaker";
  a.kind = AssertionKind::breaker;
  a.caller_service = 0;
  a.callee_service = 1;
  a.fault = 0;
  a.open_within_ns = 1 * kSecond;
  a.close_within_ns = 5 * kSecond;
  s.assertions.push_back(a);
  a.name = "breaker on a fault that never ends";
  a.fault = 1;
  s.assertions.push_back(a);
  a.name = "breaker without a closing expectation";
  a.close_within_ns.reset();
  s.assertions.push_back(a);
  const auto results = judge(s);
  INFO(results[0].observed);
  CHECK(results[0].passed);  // the openings of the second fault do not count against the first
  CHECK(results[0].observed_value < 1.0);
  CHECK_FALSE(results[1].passed);
  CHECK(results[1].observed.find("never ended") != std::string::npos);
  CHECK(results[2].passed);
}

TEST_CASE("a breaker assertion fails when no breaker opens", "[assertions][faults]") {
  harness::Scenario s = crash_scenario();
  AssertionSpec a;
  a.name = "breaker";
  a.kind = AssertionKind::breaker;
  a.caller_client = 0;
  a.callee_service = 0;
  a.fault = 0;
  a.open_within_ns = 1 * kSecond;
  s.assertions.push_back(a);
  const auto results = judge(s);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].observed.find("no breaker") != std::string::npos);
}
