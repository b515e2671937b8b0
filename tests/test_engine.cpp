// The engine's model: balancing, discovery, timeouts, retries, breakers, queues, fan-out and
// determinism, each checked through what a run measures.
#include <catch2/catch.hpp>

#include <vector>

#include "faults/injector.hpp"
#include "model_builders.hpp"
#include "sim/engine.hpp"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::vector<std::uint64_t> served_per_instance(const sim::Engine& engine, std::uint32_t service) {
  std::vector<std::uint64_t> out;
  const auto& s = engine.services()[service];
  for (std::uint32_t i = 0; i < s.instance_count; ++i) out.push_back(engine.instances()[s.first_instance + i].served);
  return out;
}

sim::ModelConfig balanced(sim::LoadBalancer lb, std::uint64_t seed = 1) {
  auto m = model(seed, 20 * sim::kSecond);
  m.services.push_back(service("web", 4, 4, exp_ms(1.0)));
  auto c = open_client("load", 0, 1000.0);
  c.policy.load_balancer = lb;
  m.clients.push_back(c);
  return m;
}

}  // namespace

TEST_CASE("round robin sends exactly one request in turn to each instance", "[balancer]") {
  auto m = balanced(sim::LoadBalancer::round_robin);
  m.clients[0].arrivals = sim::ArrivalProcess::constant;
  m.clients[0].schedule[0].rate_per_s = 400.0;  // 8000 requests in 20s
  sim::Engine engine(m);
  engine.run();
  const auto served = served_per_instance(engine, 0);
  const auto total = served[0] + served[1] + served[2] + served[3];
  for (auto s : served) CHECK((s == total / 4 || s + 1 == total / 4 || s == total / 4 + 1));
}

TEST_CASE("random balancing spreads load evenly over many requests", "[balancer]") {
  sim::Engine engine(balanced(sim::LoadBalancer::random));
  engine.run();
  for (auto s : served_per_instance(engine, 0)) CHECK(static_cast<double>(s) == Approx(5000).epsilon(0.05));
}

TEST_CASE("least outstanding avoids a slow instance", "[balancer]") {
  for (auto lb : {sim::LoadBalancer::least_outstanding, sim::LoadBalancer::power_of_two}) {
    auto m = balanced(lb);
    faults::FaultSpec slow;
    slow.name = "slow";
    slow.kind = faults::FaultKind::slowdown;
    slow.options = faults::default_options(faults::FaultKind::slowdown);
    slow.target.service = 0;
    slow.target.instances = {0};
    slow.options_as<faults::SlowdownOptions>().factor = 20.0;
    std::vector<faults::FaultSpec> faults{slow};
    sim::Engine engine(m);
    faults::Injector injector(faults, engine);
    engine.run();
    const auto served = served_per_instance(engine, 0);
    INFO(sim::load_balancer_name(lb));
    CHECK(static_cast<double>(served[0]) < 0.5 * static_cast<double>(served[1]));
  }
  // Round robin, for contrast, keeps sending the slow instance its full share.
  auto m = balanced(sim::LoadBalancer::round_robin);
  sim::Engine engine(m);
  engine.run();
  const auto served = served_per_instance(engine, 0);
  CHECK(static_cast<double>(served[0]) == Approx(static_cast<double>(served[1])).epsilon(0.01));
}

TEST_CASE("zone-aware balancing stays in the caller's zone and spills over when it fails", "[balancer]") {
  auto m = model(3, 60 * sim::kSecond);
  sim::ServiceConfig web = service("web", 2, 4, exp_ms(1.0), 0);
  web.placement.push_back({1, 2});
  m.services.push_back(web);
  auto c = open_client("load", 0, 500.0, 0);
  c.policy.load_balancer = sim::LoadBalancer::zone_aware;
  c.policy.outlier.enabled = true;
  c.policy.outlier.consecutive_errors = 3;
  c.policy.outlier.max_ejection_ratio = 1.0;
  c.policy.outlier.base_ejection_ns = 100 * sim::kSecond;
  m.clients.push_back(c);
  faults::FaultSpec crash;
  crash.name = "zone-a-web-crash";
  crash.kind = faults::FaultKind::crash;
  crash.options = faults::default_options(faults::FaultKind::crash);
  crash.target.service = 0;
  crash.target.zone = 0;
  crash.at_ns = 30 * sim::kSecond;
  std::vector<faults::FaultSpec> faults{crash};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run_until(30 * sim::kSecond);
  auto served = served_per_instance(engine, 0);
  CHECK(served[0] + served[1] > 14000);
  CHECK(served[2] + served[3] == 0);
  engine.run();
  served = served_per_instance(engine, 0);
  CHECK(served[2] + served[3] > 14000);  // traffic moved to zone b
}

TEST_CASE("a crashed instance gets traffic only until discovery catches up", "[discovery]") {
  auto m = model(4, 120 * sim::kSecond);
  m.discovery.health_check_interval_ns = 2 * sim::kSecond;
  m.discovery.unhealthy_threshold = 3;
  m.discovery.refresh_interval_ns = 5 * sim::kSecond;
  m.services.push_back(service("web", 3, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 300.0));
  faults::FaultSpec crash;
  crash.name = "crash";
  crash.kind = faults::FaultKind::crash;
  crash.options = faults::default_options(faults::FaultKind::crash);
  crash.target.service = 0;
  crash.target.instances = {1};
  crash.at_ns = 40 * sim::kSecond;
  std::vector<faults::FaultSpec> faults{crash};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run();
  const auto& crashed = engine.instances()[engine.services()[0].first_instance + 1];
  // Stale views keep sending it requests for a while ...
  CHECK(crashed.max_down_arrival_lag_ns > 0);
  // ... but never longer than checks x threshold + one refresh (the check phase adds at most an interval).
  CHECK(crashed.max_down_arrival_lag_ns <= 2 * sim::kSecond * 3 + 2 * sim::kSecond + 5 * sim::kSecond);
  CHECK(engine.results().clients[0].totals.errors > 0);
  CHECK_FALSE(engine.registry_entry(engine.services()[0].first_instance + 1).passing);
}

TEST_CASE("a caller's view stays stale during a registry outage", "[discovery]") {
  auto m = model(5, 60 * sim::kSecond);
  m.discovery.health_check_interval_ns = 1 * sim::kSecond;
  m.discovery.refresh_interval_ns = 1 * sim::kSecond;
  m.services.push_back(service("web", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 100.0));
  faults::FaultSpec outage;
  outage.name = "outage";
  outage.kind = faults::FaultKind::registry_outage;
  outage.options = faults::default_options(faults::FaultKind::registry_outage);
  outage.at_ns = 10 * sim::kSecond;
  outage.duration_ns = 30 * sim::kSecond;
  faults::FaultSpec crash;
  crash.name = "crash";
  crash.kind = faults::FaultKind::crash;
  crash.options = faults::default_options(faults::FaultKind::crash);
  crash.target.service = 0;
  crash.target.instances = {0};
  crash.at_ns = 15 * sim::kSecond;
  std::vector<faults::FaultSpec> faults{outage, crash};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run_until(39 * sim::kSecond);
  CHECK(engine.view_of(0).size() == 2);  // still lists the crashed instance
  engine.run_until(45 * sim::kSecond);
  CHECK(engine.view_of(0).size() == 1);  // caught up after the outage
}

TEST_CASE("a timeout abandons the attempt but the callee keeps working", "[calls]") {
  auto m = model(6, 10 * sim::kSecond);
  m.services.push_back(service("slow", 1, 1, sim::ConstantDist{100 * sim::kMillisecond}));
  auto c = open_client("load", 0, 5.0);
  c.arrivals = sim::ArrivalProcess::constant;
  c.policy.timeout_ns = 50 * sim::kMillisecond;
  m.clients.push_back(c);
  sim::Engine engine(m);
  engine.run();
  const auto& client = engine.results().clients[0];
  CHECK(client.totals.ok == 0);
  CHECK(client.totals.timeouts == client.totals.requests);
  CHECK(engine.results().services[0].totals.ok >= 49);  // the server still served them
}

TEST_CASE("retries recover from a flaky instance and are counted", "[calls]") {
  auto m = model(7, 30 * sim::kSecond);
  m.services.push_back(service("web", 4, 4, exp_ms(1.0)));
  auto c = open_client("load", 0, 500.0);
  c.policy.retry.max_attempts = 3;
  m.clients.push_back(c);
  faults::FaultSpec errors;
  errors.name = "errors";
  errors.kind = faults::FaultKind::error_ratio;
  errors.options = faults::default_options(faults::FaultKind::error_ratio);
  errors.target.service = 0;
  errors.target.instances = {0};
  errors.options_as<faults::ErrorRatioOptions>().ratio = 1.0;
  std::vector<faults::FaultSpec> faults{errors};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run();
  const auto& client = engine.results().clients[0];
  CHECK(client.totals.errors == 0);  // round robin moves every retry to a healthy instance
  // A quarter of all attempts (requests + retries) land on the failing instance, and each of
  // those is retried once: retries = (requests + retries) / 4, so retries = requests / 3.
  CHECK(static_cast<double>(client.totals.retries) == Approx(client.totals.requests / 3.0).epsilon(0.02));
}

TEST_CASE("a retry budget caps retries at its ratio of traffic", "[calls]") {
  auto m = model(8, 60 * sim::kSecond);
  m.services.push_back(service("web", 2, 4, exp_ms(1.0)));
  auto c = open_client("load", 0, 1000.0);
  c.policy.retry.max_attempts = 5;
  c.policy.retry.budget.enabled = true;
  c.policy.retry.budget.ratio = 0.1;
  c.policy.retry.budget.min_retries_per_s = 0;
  m.clients.push_back(c);
  faults::FaultSpec errors;
  errors.name = "errors";
  errors.kind = faults::FaultKind::error_ratio;
  errors.options = faults::default_options(faults::FaultKind::error_ratio);
  errors.target.service = 0;
  errors.options_as<faults::ErrorRatioOptions>().ratio = 1.0;
  std::vector<faults::FaultSpec> faults{errors};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run();
  const auto& client = engine.results().clients[0];
  // Finagle's budget with no reserve: a tenth of the requests, never more (sim/retry.hpp).
  CHECK(static_cast<double>(client.totals.retries) <= 0.1 * static_cast<double>(client.totals.requests));
  CHECK(static_cast<double>(client.totals.retries) >= 0.09 * static_cast<double>(client.totals.requests));
}

TEST_CASE("exponential backoff doubles the wait before each retry", "[calls]") {
  auto m = model(9, 10 * sim::kSecond);
  m.services.push_back(service("web", 1, 1, exp_ms(1.0)));
  auto c = open_client("load", 0, 10.0);
  c.arrivals = sim::ArrivalProcess::constant;
  c.stop_ns = 8 * sim::kSecond;  // every request has finished its retries by the end
  c.policy.retry.max_attempts = 4;
  c.policy.retry.backoff_base_ns = 100 * sim::kMillisecond;
  c.policy.retry.jitter = sim::Jitter::none;
  m.clients.push_back(c);
  faults::FaultSpec errors;
  errors.name = "errors";
  errors.kind = faults::FaultKind::error_ratio;
  errors.options = faults::default_options(faults::FaultKind::error_ratio);
  errors.target.service = 0;
  errors.options_as<faults::ErrorRatioOptions>().ratio = 1.0;
  std::vector<faults::FaultSpec> faults{errors};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run();
  // Every request fails after 100 + 200 + 400 ms of backoff: the server sees each request's
  // four attempts 100, 200 and 400 ms apart.
  const auto& client = engine.results().clients[0];
  CHECK(client.totals.requests == 79);  // arrivals at 0.1s, 0.2s, ... 7.9s
  CHECK(client.totals.errors == client.totals.requests);
  CHECK(client.totals.retries == 3 * client.totals.requests);
  const auto& server = engine.results().services[0].series;
  // Attempts come at t, t+0.1, t+0.3 and t+0.7s. In [8s, 9s): third retries of the requests
  // from 7.3s on (7), second retries from 7.7s on (3), first retry of the one at 7.9s (1).
  CHECK(server[8].counts.requests == 7 + 3 + 1);
  CHECK(server[9].counts.requests == 0);
}

TEST_CASE("a breaker opens on a failing dependency and the caller fails fast", "[breaker]") {
  auto m = model(10, 60 * sim::kSecond);
  m.services.push_back(service("front", 2, 8, exp_ms(1.0)));
  m.services.push_back(service("back", 2, 8, exp_ms(1.0)));
  sim::Step step;
  auto dep = call(1);
  dep.policy.breaker.enabled = true;
  dep.policy.breaker.consecutive_failures = 5;
  dep.policy.breaker.timeout_ns = 5 * sim::kSecond;
  step.calls.push_back(dep);
  m.services[0].operations[0].steps.push_back(step);
  m.clients.push_back(open_client("load", 0, 200.0));
  faults::FaultSpec errors;
  errors.name = "back-errors";
  errors.kind = faults::FaultKind::error_ratio;
  errors.options = faults::default_options(faults::FaultKind::error_ratio);
  errors.target.service = 1;
  errors.options_as<faults::ErrorRatioOptions>().ratio = 1.0;
  errors.at_ns = 20 * sim::kSecond;
  errors.duration_ns = 20 * sim::kSecond;
  std::vector<faults::FaultSpec> faults{errors};
  sim::Engine engine(m);
  faults::Injector injector(faults, engine);
  engine.run();
  CHECK(engine.results().services[1].breaker_opens >= 2);  // one per caller instance at least
  // While open, calls never reach back: far fewer attempts than the 20s of traffic.
  const auto& back = engine.results().services[1];
  CHECK(back.totals.requests < 200 * 45);
  // And breakers closed again after the fault.
  for (const auto& b : engine.breakers()) CHECK(b.last_state() == sim::BreakerState::closed);
}

TEST_CASE("a full queue rejects", "[server]") {
  auto m = model(11, 10 * sim::kSecond);
  auto s = service("web", 1, 1, sim::ConstantDist{10 * sim::kMillisecond});
  s.queue_capacity = 5;
  m.services.push_back(s);
  m.clients.push_back(open_client("load", 0, 1000.0));
  sim::Engine engine(m);
  engine.run();
  const auto& client = engine.results().clients[0];
  CHECK(client.totals.rejected > 8000);
  CHECK(client.totals.ok == Approx(1000).epsilon(0.02));
}

TEST_CASE("parallel fan-out waits for the slowest call", "[server]") {
  auto m = model(12, 10 * sim::kSecond);
  m.services.push_back(service("front", 1, 100, sim::ConstantDist{0}));
  m.services.push_back(service("fast", 1, 100, sim::ConstantDist{1 * sim::kMillisecond}));
  m.services.push_back(service("slow", 1, 100, sim::ConstantDist{7 * sim::kMillisecond}));
  sim::Step fan;
  fan.calls = {call(1), call(2)};
  m.services[0].operations[0].steps.push_back(fan);
  m.clients.push_back(open_client("load", 0, 100.0));
  sim::Engine engine(m);
  engine.run();
  const auto& latency = engine.results().clients[0].latency;
  CHECK(latency.min() == 7 * sim::kMillisecond);
  CHECK(latency.max() == 7 * sim::kMillisecond);
}

TEST_CASE("a call made with probability p happens in that share of requests", "[server]") {
  auto m = model(13, 20 * sim::kSecond);
  m.services.push_back(service("front", 1, 100, sim::ConstantDist{0}));
  m.services.push_back(service("maybe", 1, 100, sim::ConstantDist{0}));
  sim::Step step;
  auto maybe = call(1);
  maybe.probability = 0.25;
  step.calls.push_back(maybe);
  m.services[0].operations[0].steps.push_back(step);
  m.clients.push_back(open_client("load", 0, 1000.0));
  sim::Engine engine(m);
  engine.run();
  const double share = static_cast<double>(engine.results().services[1].totals.requests) /
                       static_cast<double>(engine.results().services[0].totals.requests);
  CHECK(share == Approx(0.25).epsilon(0.03));
}

TEST_CASE("a rate schedule ramps and steps the arrival rate", "[workload]") {
  auto m = model(14, 30 * sim::kSecond);
  m.services.push_back(service("web", 1, 100, sim::ConstantDist{0}));
  auto c = open_client("load", 0, 100.0);
  c.schedule.push_back({10 * sim::kSecond, 100.0, false});
  c.schedule.push_back({20 * sim::kSecond, 1100.0, true});  // ramp 100 -> 1100 over 10..20s
  m.clients.push_back(c);
  sim::Engine engine(m);
  engine.run();
  const auto& series = engine.results().clients[0].series;
  CHECK(static_cast<double>(series[5].counts.requests) == Approx(100).epsilon(0.3));
  CHECK(static_cast<double>(series[15].counts.requests) == Approx(650).epsilon(0.15));
  CHECK(static_cast<double>(series[25].counts.requests) == Approx(1100).epsilon(0.1));
  std::uint64_t ramp_total = 0;
  for (int b = 10; b < 20; ++b) ramp_total += series[b].counts.requests;
  CHECK(static_cast<double>(ramp_total) == Approx(6000).epsilon(0.05));
}

TEST_CASE("the same model and seed give the same trace, another seed another", "[determinism]") {
  auto m = balanced(sim::LoadBalancer::power_of_two, 21);
  sim::Engine first(m);
  first.run();
  sim::Engine second(m);
  second.run();
  CHECK(first.results().trace_hash == second.results().trace_hash);
  CHECK(first.results().events == second.results().events);
  m.seed = 22;
  sim::Engine other(m);
  other.run();
  CHECK(first.results().trace_hash != other.results().trace_hash);
}

TEST_CASE("adding an unrelated client does not change the draws of an existing one", "[determinism]") {
  auto m = model(30, 30 * sim::kSecond);
  m.services.push_back(service("a", 2, 2, exp_ms(2.0)));
  m.services.push_back(service("b", 2, 2, exp_ms(2.0)));
  m.clients.push_back(open_client("alice", 0, 300.0));
  sim::Engine alone(m);
  alone.run();
  m.clients.push_back(open_client("bob", 1, 500.0));
  sim::Engine together(m);
  together.run();
  const auto& x = alone.results().clients[0];
  const auto& y = together.results().clients[0];
  CHECK(x.totals.requests == y.totals.requests);
  CHECK(x.latency == y.latency);
  CHECK(alone.results().trace_hash != together.results().trace_hash);
}

TEST_CASE("stepping to an instant and running on gives the same run as running at once", "[determinism]") {
  auto m = balanced(sim::LoadBalancer::least_outstanding, 40);
  sim::Engine whole(m);
  whole.run();
  sim::Engine stepped(m);
  for (sim::TimeNs t = 0; t < m.duration_ns; t += 700 * sim::kMillisecond) stepped.run_until(t);
  stepped.run();
  CHECK(whole.results().trace_hash == stepped.results().trace_hash);
}
