// Process, capacity, error and chaos faults: applied and reverted at their simulated instants,
// and what each does to a request (network, zone and discovery faults: test_faults_network.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fault_support.hpp"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("every fault's start and end are timeline events at exactly its instants", "[faults]") {
  auto m = simple(1 * kMillisecond, 10.0);
  Run run(m, {on_service(make_fault("slow", FaultKind::slowdown, 2 * kSecond, 3 * kSecond), 0),
              on_service(make_fault("forever", FaultKind::error_ratio, 4 * kSecond), 0)});
  run.engine.run();
  const auto starts = entries(run.engine, sim::TimelineKind::fault_start);
  const auto ends = entries(run.engine, sim::TimelineKind::fault_end);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].at == 2 * kSecond);
  CHECK(starts[0].subject == 0);
  CHECK(starts[1].at == 4 * kSecond);
  REQUIRE(ends.size() == 1);  // a fault with no duration is never reverted
  CHECK(ends[0].at == 5 * kSecond);
  CHECK(ends[0].subject == 0);
}

TEST_CASE("a crash resets in-flight work, refuses new work and restarts warm after restart_after", "[faults][crash]") {
  auto m = simple(10 * kMillisecond, 20.0);  // a request every 50ms, served in 10ms
  auto crash = on_service(make_fault("crash", FaultKind::crash, 1005 * kMillisecond), 0);
  crash.options_as<faults::CrashOptions>().restart_after_ns = 2 * kSecond;
  crash.options_as<faults::CrashOptions>().warmup_ns = 1 * kSecond;
  crash.options_as<faults::CrashOptions>().warmup_factor = 3.0;
  Run run(m, {crash});
  run.engine.run_until(1005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::up);
  CHECK(run.client().errors == 0);
  run.run_past(1005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::crashed);
  CHECK(run.client().errors == 1);  // the request in service since 1.000s, answered with a reset at once
  run.engine.run_until(3005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::crashed);
  CHECK(run.client().errors == 1 + 40);  // every request from 1.05s to 3.0s refused
  run.run_past(3005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::up);
  run.engine.run();
  // Warm-up: three times the service time for a second after the restart, then normal again.
  CHECK(run.bucket(3).p50_ns == 30 * kMillisecond);
  CHECK(run.bucket(4).p50_ns == 10 * kMillisecond);
  CHECK(run.client().rejected == 0);
  const auto crashes = entries(run.engine, sim::TimelineKind::instance_state);
  REQUIRE(crashes.size() == 2);
  CHECK(crashes[0].extra == 1);  // caused by fault 0
  CHECK(crashes[1].at == 3005 * kMillisecond);
}

TEST_CASE("a crash while a reset travels leaves no worker busy after the restart", "[faults][crash]") {
  // Regression: the reset reply took 1ms to travel, and the killed request's service
  // completion, due meanwhile, still ran, released a worker a second time and left the
  // instance counting ~2^32 busy workers, rejecting everything after its restart.
  auto m = simple(10 * kMillisecond, 20.0);
  m.network.same_zone_latency = sim::ConstantDist{1 * kMillisecond};
  auto crash = on_service(make_fault("crash", FaultKind::crash, 1010 * kMillisecond), 0);  // in service until 1.011s
  crash.options_as<faults::CrashOptions>().restart_after_ns = 1 * kSecond;
  Run run(m, {crash});
  run.engine.run();
  CHECK(run.engine.instances()[0].busy == 0);
  CHECK(run.client().rejected == 0);
  CHECK(run.bucket(5).counts.ok == 20);
}

TEST_CASE("a crashed caller makes no more retries on behalf of its lost work", "[faults][crash]") {
  auto m = simple(0, 1.0, 1, 10 * kSecond);
  m.clients[0].stop_ns = 1500 * kMillisecond;  // one request, at 1s
  m.services.push_back(service("back", 1, 1, sim::ConstantDist{0}));
  sim::Step step;
  auto dependency = call(1);
  dependency.policy.retry.max_attempts = 5;
  dependency.policy.retry.backoff_base_ns = 200 * kMillisecond;  // retries at 1.2, 1.6, 2.4, 4.0s
  step.calls.push_back(dependency);
  m.services[0].operations[0].steps.push_back(step);
  auto errors = on_service(make_fault("errors", FaultKind::error_ratio, 0), 1);
  Run run(m, {errors, on_service(make_fault("crash", FaultKind::crash, 1100 * kMillisecond), 0)});
  run.engine.run();
  CHECK(run.engine.results().services[1].totals.requests == 1);  // only the first attempt, at 1s
}

TEST_CASE("a crash records how long callers kept sending to the dead instance", "[faults][crash]") {
  auto m = model(2, 60 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.unhealthy_threshold = 2;
  m.discovery.refresh_interval_ns = 3 * kSecond;
  m.services.push_back(service("api", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 100.0));
  Run run(m, {on_service(make_fault("crash", FaultKind::crash, 10 * kSecond), 0, {1})});
  run.engine.run();
  const auto& traffic = run.engine.results().crash_traffic;
  REQUIRE(traffic.size() == 1);
  CHECK(traffic[0].attempts > 0);
  CHECK(traffic[0].instance == 1);
  CHECK(traffic[0].max_lag_ns > 0);
  // A check every 1s, 2 failures, then a view refresh every 3s: at most 1 x 2 + 3 = 5s.
  CHECK(traffic[0].max_lag_ns <= 5 * kSecond);
}

TEST_CASE("a graceful shutdown deregisters, drains after its period, stops and restarts at its end", "[faults][shutdown]") {
  auto m = model(3, 60 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.refresh_interval_ns = 2 * kSecond;
  m.services.push_back(service("api", 3, 2, sim::ConstantDist{5 * kMillisecond}));
  m.clients.push_back(open_client("load", 0, 300.0));
  auto shutdown = on_service(make_fault("shutdown", FaultKind::shutdown, 10 * kSecond, 20 * kSecond), 0, {1});
  shutdown.options_as<faults::ShutdownOptions>().period_ns = 5 * kSecond;
  Run run(m, {shutdown});
  run.run_past(10 * kSecond);
  CHECK_FALSE(run.engine.registry_entry(1).registered);
  CHECK_FALSE(run.engine.registry_entry(1).published_healthy);  // no propagation delay
  CHECK(run.status(1) == InstanceStatus::up);                  // still serving while views catch up
  run.engine.run_until(15 * kSecond);
  CHECK(run.status(1) == InstanceStatus::up);
  run.run_past(15 * kSecond);
  CHECK(run.status(1) == InstanceStatus::stopped);  // idle by then: it stops at once
  run.run_past(30 * kSecond);
  CHECK(run.status(1) == InstanceStatus::up);
  CHECK(run.engine.registry_entry(1).registered);
  run.engine.run();
  CHECK(run.client().errors == 0);  // views dropped it (2s) before it stopped taking work (5s)
  CHECK(run.client().requests == run.client().ok);
  CHECK(run.engine.instances()[1].served > 0);  // and it served again after the restart
  std::vector<InstanceStatus> states;
  for (const auto& e : entries(run.engine, sim::TimelineKind::instance_state)) states.push_back(static_cast<InstanceStatus>(e.detail));
  CHECK(states == std::vector<InstanceStatus>{InstanceStatus::draining, InstanceStatus::stopped, InstanceStatus::up});
}

TEST_CASE("a shutdown instance finishes its queue before it stops", "[faults][shutdown]") {
  auto m = simple(100 * kMillisecond, 20.0, 1, 5 * kSecond);  // a backlog builds: 20/s against 10/s
  auto shutdown = on_service(make_fault("shutdown", FaultKind::shutdown, 1 * kSecond), 0);
  shutdown.options_as<faults::ShutdownOptions>().period_ns = 0;
  Run run(m, {shutdown});
  run.run_past(1 * kSecond);
  CHECK(run.status(0) == InstanceStatus::draining);
  const std::uint32_t backlog = run.engine.instances()[0].queue.size();
  CHECK(backlog > 5);
  run.engine.run();
  CHECK(run.status(0) == InstanceStatus::stopped);
  CHECK(run.engine.instances()[0].queue.size() == 0);
  CHECK(run.engine.results().services[0].totals.ok >= backlog + 10);
}

TEST_CASE("a hung instance accepts requests and never answers until the hang ends", "[faults][hang]") {
  auto m = simple(10 * kMillisecond, 20.0);
  m.clients[0].policy.timeout_ns = 200 * kMillisecond;
  Run run(m, {on_service(make_fault("hang", FaultKind::hang, 2005 * kMillisecond, 2 * kSecond), 0)});
  run.run_past(2005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::hung);
  run.engine.run_until(4 * kSecond);
  CHECK(run.engine.instances()[0].busy == 1);  // its only worker is stuck with the request of 2.0s
  run.run_past(4005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::up);
  CHECK(run.engine.instances()[0].busy == 0);
  run.engine.run();
  CHECK(run.client().errors == 0);  // the stuck request's late reset reached nobody waiting
  CHECK(run.client().timeouts == 1 + 40);  // the stuck one of 2.0s, and all sent from 2.05s to 4.0s
  CHECK(run.bucket(5).counts.ok == 20);
}

TEST_CASE("a hung instance fails its health checks and leaves the callers' views", "[faults][hang]") {
  auto m = model(4, 40 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.refresh_interval_ns = 1 * kSecond;
  m.services.push_back(service("api", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 50.0));
  Run run(m, {on_service(make_fault("hang", FaultKind::hang, 10 * kSecond, 10 * kSecond), 0, {0})});
  run.engine.run_until(15 * kSecond);
  CHECK(run.engine.view_of(0).size() == 1);
  run.engine.run();
  CHECK(run.engine.view_of(0).size() == 2);  // healthy again after the hang
}

TEST_CASE("a pause holds work until it ends, then everything resumes", "[faults][pause]") {
  auto m = simple(10 * kMillisecond, 20.0);
  Run run(m, {on_service(make_fault("gc", FaultKind::pause, 2005 * kMillisecond, 500 * kMillisecond), 0)});
  run.run_past(2005 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::paused);
  run.run_past(2505 * kMillisecond);
  CHECK(run.status(0) == InstanceStatus::up);
  run.engine.run();
  CHECK(run.client().ok == run.client().requests);
  // The request in service at 2.005s finishes at 2.505s (505ms); those that arrived during the
  // pause queue behind it and are served one by one from then on.
  CHECK(run.engine.results().clients[0].latency.max() == 505 * kMillisecond);
  CHECK(run.bucket(3).p50_ns == 10 * kMillisecond);
}

TEST_CASE("a slowdown multiplies the service time and is undone exactly", "[faults][slowdown]") {
  auto m = simple(10 * kMillisecond, 10.0);
  auto slow = on_service(make_fault("slow", FaultKind::slowdown, 2 * kSecond, 3 * kSecond), 0);
  slow.options_as<faults::SlowdownOptions>().factor = 3.7;
  Run run(m, {slow});
  run.engine.run();
  CHECK(run.bucket(1).p50_ns == 10 * kMillisecond);
  CHECK(run.bucket(3).p50_ns == 37 * kMillisecond);
  CHECK(run.bucket(6).p50_ns == 10 * kMillisecond);
  CHECK(run.engine.instances()[0].slowdown == 1.0);
}

TEST_CASE("worker loss reduces concurrency and the workers come back", "[faults][capacity]") {
  auto m = simple(100 * kMillisecond, 20.0);  // two requests at a time need two workers
  m.services[0].workers = 2;
  auto loss = on_service(make_fault("loss", FaultKind::worker_loss, 2 * kSecond, 2 * kSecond), 0);
  loss.options_as<faults::WorkerLossOptions>().workers = 1;
  Run run(m, {loss});
  run.run_past(2 * kSecond);
  CHECK(run.engine.instances()[0].workers == 1);
  run.run_past(4 * kSecond);
  CHECK(run.engine.instances()[0].workers == 2);
  run.engine.run();
  CHECK(run.bucket(1).p99_ns == 100 * kMillisecond);
  CHECK(run.bucket(3).p99_ns > 500 * kMillisecond);  // a queue builds: 20/s against 10/s
}

TEST_CASE("a shrunk queue rejects what it cannot hold, until it is restored", "[faults][capacity]") {
  auto m = simple(100 * kMillisecond, 20.0, 1, 6 * kSecond);
  m.services[0].queue_capacity = 1000;
  auto shrink = on_service(make_fault("shrink", FaultKind::queue_shrink, 1 * kSecond, 2 * kSecond), 0);
  shrink.options_as<faults::QueueShrinkOptions>().queue_capacity = 2;
  Run run(m, {shrink});
  run.engine.run();
  CHECK(run.bucket(0).counts.rejected == 0);
  CHECK(run.bucket(2).counts.rejected > 5);
  CHECK(run.bucket(4).counts.rejected == 0);
  CHECK(run.engine.instances()[0].queue_capacity == 1000);
}

TEST_CASE("an error ratio fails its share of requests, fast or after the service time", "[faults][errors]") {
  for (const bool fail_fast : {true, false}) {
    auto m = simple(10 * kMillisecond, 200.0, 4, 20 * kSecond);
    m.clients[0].arrivals = sim::ArrivalProcess::poisson;
    auto errors = on_service(make_fault("errors", FaultKind::error_ratio, 0, 10 * kSecond), 0);
    errors.options_as<faults::ErrorRatioOptions>().ratio = 0.3;
    errors.options_as<faults::ErrorRatioOptions>().fail_fast = fail_fast;
    Run run(m, {errors});
    run.engine.run();
    std::uint64_t failed = 0, total = 0;
    for (int b = 0; b < 10; ++b) {
      failed += run.bucket(b).counts.errors;
      total += run.bucket(b).counts.requests;
    }
    INFO("fail_fast " << fail_fast);
    CHECK(static_cast<double>(failed) / static_cast<double>(total) == Approx(0.3).epsilon(0.05));
    for (int b = 11; b < 20; ++b) CHECK(run.bucket(b).counts.errors == 0);
    // Fast failures use no worker; slow ones hold it for the whole service time.
    const auto& queue_wait = run.engine.results().services[0].queue_wait;
    const std::uint64_t expected = fail_fast ? run.client().ok : run.client().requests;
    CHECK(queue_wait.count() >= expected);
    CHECK(queue_wait.count() <= expected + 4);  // + those still in service when the run ended
  }
}

TEST_CASE("operation errors fail one operation of a service and spare the others", "[faults][errors]") {
  auto m = model(5, 10 * kSecond);
  m.discovery.health_checks = false;
  auto api = service("api", 2, 8, sim::ConstantDist{1 * kMillisecond});
  sim::Operation search = api.operations[0];
  search.name = "search";
  api.operations.push_back(search);
  m.services.push_back(api);
  m.clients.push_back(open_client("browse", 0, 100.0));
  auto searcher = open_client("search", 0, 100.0);
  searcher.operation = 1;
  m.clients.push_back(searcher);
  auto errors = on_service(make_fault("search-errors", FaultKind::operation_errors, 0), 0);
  errors.target.operation = 1;
  errors.options_as<faults::OperationErrorsOptions>().ratio = 1.0;
  Run run(m, {errors});
  run.engine.run();
  CHECK(run.client(0).errors == 0);
  CHECK(run.client(1).ok == 0);
  CHECK(run.client(1).errors == run.client(1).requests);
}

namespace {

struct ChaosOutcome {
  std::vector<std::pair<TimeNs, std::uint32_t>> kills;
  std::uint32_t most_down_at_once = 0;
};

ChaosOutcome run_chaos(std::uint64_t seed, std::uint32_t max_down) {
  auto m = model(seed, 3600 * kSecond);
  m.discovery.health_checks = false;
  m.services.push_back(service("web", 6, 4, sim::ConstantDist{1 * kMillisecond}));
  m.services.push_back(service("api", 6, 4, sim::ConstantDist{1 * kMillisecond}));
  m.clients.push_back(open_client("load", 0, 1.0));
  auto monkey = make_fault("monkey", FaultKind::chaos_monkey, 60 * kSecond);
  monkey.options_as<faults::ChaosMonkeyOptions>().interval_ns = 60 * kSecond;
  monkey.options_as<faults::ChaosMonkeyOptions>().probability = 0.8;
  monkey.options_as<faults::ChaosMonkeyOptions>().max_down_per_service = max_down;
  monkey.options_as<faults::ChaosMonkeyOptions>().restart_after_ns = 5 * 60 * kSecond;
  Run run(m, {monkey});
  run.engine.run();
  ChaosOutcome out;
  std::map<std::uint32_t, std::uint32_t> down;  // per service
  for (const auto& e : entries(run.engine, sim::TimelineKind::instance_state)) {
    const std::uint32_t service = run.engine.instances()[e.subject].service;
    if (static_cast<InstanceStatus>(e.detail) == InstanceStatus::crashed) {
      CHECK(e.extra == 1);
      CHECK(e.at % (60 * kSecond) == 0);  // strikes on the interval
      out.kills.emplace_back(e.at, e.subject);
      out.most_down_at_once = std::max(out.most_down_at_once, ++down[service]);
    } else {
      --down[service];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the chaos monkey kills the same instances at the same instants for the same seed", "[faults][chaos]") {
  const ChaosOutcome first = run_chaos(42, 2);
  const ChaosOutcome again = run_chaos(42, 2);
  const ChaosOutcome other = run_chaos(43, 2);
  CHECK(first.kills == again.kills);
  CHECK(first.kills != other.kills);
  // 59 strikes at probability 0.8, most of them allowed by the blast radius.
  CHECK(first.kills.size() > 30);
  CHECK(first.kills.size() <= 59);
}

TEST_CASE("the chaos monkey never takes down more than its blast radius of a service", "[faults][chaos]") {
  for (const std::uint32_t max_down : {1u, 2u}) {
    const ChaosOutcome outcome = run_chaos(7, max_down);
    INFO("max_down_per_service " << max_down);
    CHECK(outcome.most_down_at_once == max_down);  // reached, never exceeded
  }
}

TEST_CASE("a chaos monkey with a duration stops striking when it ends", "[faults][chaos]") {
  auto m = simple(1 * kMillisecond, 1.0, 6, 3600 * kSecond);
  auto monkey = make_fault("monkey", FaultKind::chaos_monkey, 0, 10 * 60 * kSecond);
  monkey.options_as<faults::ChaosMonkeyOptions>().interval_ns = 60 * kSecond;
  monkey.options_as<faults::ChaosMonkeyOptions>().probability = 1.0;
  monkey.options_as<faults::ChaosMonkeyOptions>().max_down_per_service = 6;
  monkey.options_as<faults::ChaosMonkeyOptions>().restart_after_ns = 30 * kSecond;
  Run run(m, {monkey});
  run.engine.run();
  const auto states = entries(run.engine, sim::TimelineKind::instance_state);
  std::size_t kills = 0;
  for (const auto& e : states) {
    if (static_cast<InstanceStatus>(e.detail) != InstanceStatus::crashed) continue;
    ++kills;
    CHECK(e.at < 10 * 60 * kSecond);
  }
  CHECK(kills == 9);  // strikes at 1m .. 9m; the one due at 10m finds the monkey gone
  for (std::uint32_t i = 0; i < 6; ++i) CHECK(run.status(i) == InstanceStatus::up);
}

TEST_CASE("a fraction of a service's instances is chosen by the seed and the fault's name", "[faults][targets]") {
  auto m = simple(1 * kMillisecond, 1.0, 10);
  auto errors = on_service(make_fault("errors", FaultKind::error_ratio, 1 * kSecond), 0);
  errors.target.fraction = 0.3;
  auto pick = [&](std::uint64_t seed, const std::string& name) {
    m.seed = seed;
    errors.name = name;
    Run run(m, {errors});
    run.run_past(1 * kSecond);
    const auto chosen = run.injector.targets(0);
    return std::vector<std::uint32_t>(chosen.begin(), chosen.end());
  };
  const auto first = pick(1, "errors");
  CHECK(first.size() == 3);
  CHECK(std::is_sorted(first.begin(), first.end()));
  CHECK(pick(1, "errors") == first);
  CHECK((pick(2, "errors") != first || pick(3, "errors") != first));
}
