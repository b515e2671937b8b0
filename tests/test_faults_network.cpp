// Network, zone and discovery faults: applied and reverted at their simulated instants, and
// what each does to a request or to the callers' view of the registry.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fault_support.hpp"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("latency towards a service is added once per attempt, and ramps up", "[faults][network]") {
  auto m = simple(10 * kMillisecond, 10.0, 1, 12 * kSecond);
  auto latency = on_service(make_fault("latency", FaultKind::latency, 2 * kSecond, 8 * kSecond), 0);
  latency.options_as<faults::LatencyOptions>().delay = sim::ConstantDist{100 * kMillisecond};
  latency.options_as<faults::LatencyOptions>().ramp_ns = 4 * kSecond;
  Run run(m, {latency});
  run.engine.run();
  CHECK(run.bucket(1).p50_ns == 10 * kMillisecond);
  // During the ramp the delay grows with the time since the start: requests at 4.0s .. 4.9s
  // get 50ms .. 72.5ms, the median one (4.4s) 60ms ...
  CHECK(run.bucket(4).p50_ns == Approx(10 * kMillisecond + 60 * kMillisecond).epsilon(0.01));
  // ... and then its full size, once: the reply is not delayed.
  CHECK(run.bucket(7).p50_ns == 110 * kMillisecond);
  CHECK(run.bucket(11).p50_ns == 10 * kMillisecond);
}

TEST_CASE("latency on a link delays every message crossing it, in the directions chosen", "[faults][network]") {
  for (const bool both : {true, false}) {
    auto m = simple(10 * kMillisecond, 10.0, 1, 6 * kSecond);
    m.services[0].placement = {{1, 1}};  // the instance in zone b, the client in zone a
    auto latency = make_fault("latency", FaultKind::latency, 1 * kSecond, 3 * kSecond);
    latency.target.from_zone = 0;
    latency.target.to_zone = 1;
    latency.target.both_directions = both;
    latency.options_as<faults::LatencyOptions>().delay = sim::ConstantDist{50 * kMillisecond};
    Run run(m, {latency});
    run.engine.run();
    INFO("both directions " << both);
    CHECK(run.bucket(2).p50_ns == (both ? 110 : 60) * kMillisecond);
    CHECK(run.bucket(5).p50_ns == 10 * kMillisecond);
  }
}

TEST_CASE("a fault on a client's requests leaves the other clients alone", "[faults][network]") {
  auto m = simple(10 * kMillisecond, 10.0, 2, 4 * kSecond);
  auto other = open_client("other", 0, 10.0);
  other.arrivals = sim::ArrivalProcess::constant;
  m.clients.push_back(other);
  m.clients[0].policy.timeout_ns = 1 * kSecond;
  auto latency = make_fault("slow-link", FaultKind::latency, 0);
  latency.target.client = 1;
  latency.options_as<faults::LatencyOptions>().delay = sim::ConstantDist{40 * kMillisecond};
  auto blackhole = make_fault("cut-client", FaultKind::blackhole, 2 * kSecond);
  blackhole.target.client = 0;
  Run run(m, {latency, blackhole});
  run.engine.run();
  CHECK(run.engine.results().clients[0].latency.max() == 10 * kMillisecond);
  CHECK(run.engine.results().clients[1].latency.min() == 50 * kMillisecond);
  CHECK(run.bucket(3, 0).counts.ok == 0);
  CHECK(run.bucket(2, 0).counts.timeouts + run.bucket(3, 0).counts.timeouts >= 9);
  CHECK(run.bucket(3, 1).counts.ok == 10);
}

TEST_CASE("packet loss costs doubling retransmissions and loses messages after too many", "[faults][network]") {
  SECTION("towards a service") {
    auto m = simple(10 * kMillisecond, 200.0, 4, 20 * kSecond);
    m.clients[0].policy.timeout_ns = 1 * kSecond;
    m.clients[0].stop_ns = 18 * kSecond;  // every request is answered or timed out by the end
    auto loss = on_service(make_fault("loss", FaultKind::packet_loss, 0), 0);
    loss.options_as<faults::PacketLossOptions>().ratio = 0.5;
    loss.options_as<faults::PacketLossOptions>().retransmit_ns = 100 * kMillisecond;
    loss.options_as<faults::PacketLossOptions>().max_retransmits = 2;
    Run run(m, {loss});
    run.engine.run();
    const auto& latency = run.engine.results().clients[0].latency;
    // Delivered at once (1/2), after 100ms (1/4), after 100 + 200ms (1/8); lost with 1/8 (a
    // fourth try would have come 400ms later still). Queueing adds a few ms at most.
    CHECK(latency.min() == 10 * kMillisecond);
    CHECK(latency.max() >= 310 * kMillisecond);
    CHECK(latency.max() < 400 * kMillisecond);
    const double lost = static_cast<double>(run.client().timeouts) / static_cast<double>(run.client().requests);
    CHECK(lost == Approx(0.125).epsilon(0.15));
    CHECK(latency.percentile(60) == Approx(110 * kMillisecond).epsilon(0.01));
  }
  SECTION("on a link, with the fault's own retransmission timing") {
    auto m = simple(10 * kMillisecond, 100.0, 1, 20 * kSecond);
    m.services[0].placement = {{1, 1}};
    auto loss = make_fault("loss", FaultKind::packet_loss, 0, 5 * kSecond);
    loss.target.from_zone = 0;
    loss.target.to_zone = 1;
    loss.target.both_directions = false;
    loss.options_as<faults::PacketLossOptions>().ratio = 1.0;
    loss.options_as<faults::PacketLossOptions>().retransmit_ns = 1 * kSecond;
    loss.options_as<faults::PacketLossOptions>().max_retransmits = 0;
    Run run(m, {loss});
    run.engine.run();
    // Every request lost on the way out while the fault lasts, none after.
    CHECK(run.bucket(4).counts.requests == 0);
    CHECK(run.engine.results().services[0].series[4].counts.requests == 0);
    CHECK(run.bucket(10).counts.ok == 100);
    CHECK(run.engine.network().link(0, 1).loss_ratio == 0);
  }
}

TEST_CASE("a blackholed service swallows requests until the fault ends", "[faults][network]") {
  auto m = simple(10 * kMillisecond, 10.0, 1, 6 * kSecond);
  m.clients[0].policy.timeout_ns = 300 * kMillisecond;
  Run run(m, {on_service(make_fault("blackhole", FaultKind::blackhole, 2 * kSecond, 2 * kSecond), 0)});
  run.engine.run();
  CHECK(run.bucket(1).counts.ok == 10);
  CHECK(run.bucket(3).counts.ok == 0);
  CHECK(run.bucket(3).counts.timeouts == 10);
  CHECK(run.bucket(5).counts.ok == 10);
  CHECK(run.engine.results().services[0].totals.requests == run.client().ok);
}

TEST_CASE("a one-way partition loses requests one way and replies the other", "[faults][network]") {
  auto m = simple(10 * kMillisecond, 10.0, 1, 6 * kSecond);
  m.services[0].placement = {{1, 1}};  // api in zone b
  auto from_a = open_client("from-a", 0, 10.0);
  m.clients[0].zone = 2;  // "load" in zone c, unaffected
  from_a.arrivals = sim::ArrivalProcess::constant;
  from_a.policy.timeout_ns = 300 * kMillisecond;
  m.clients.push_back(from_a);
  auto partition = make_fault("b-to-a", FaultKind::partition, 2 * kSecond, 2 * kSecond);
  partition.target.from_zone = 1;
  partition.target.to_zone = 0;
  partition.target.both_directions = false;
  Run run(m, {partition});
  run.engine.run();
  // Requests a -> b still arrive and are served, but the replies b -> a are lost.
  CHECK(run.bucket(3, 1).counts.ok == 0);
  CHECK(run.bucket(3, 1).counts.timeouts == 10);
  CHECK(run.engine.results().services[0].series[3].counts.ok == 20);
  CHECK(run.client(0).ok == run.client(0).requests);
  CHECK(run.bucket(5, 1).counts.ok == 10);
  CHECK_FALSE(run.engine.network().link(1, 0).blocked);
}

TEST_CASE("a bandwidth limit queues messages behind each other", "[faults][network]") {
  SECTION("towards a service") {
    auto m = simple(1 * kMillisecond, 100.0, 1, 6 * kSecond);
    m.services[0].workers = 100;
    auto limit = on_service(make_fault("narrow", FaultKind::bandwidth, 2 * kSecond, 2 * kSecond), 0);
    limit.options_as<faults::BandwidthOptions>().messages_per_s = 50.0;
    Run run(m, {limit});
    run.engine.run();
    CHECK(run.engine.results().services[0].series[3].counts.requests == 50);  // 50/s get through
    CHECK(run.bucket(1).p50_ns == 1 * kMillisecond);
    CHECK(run.bucket(3).p50_ns > 500 * kMillisecond);  // a backlog grows at 50/s
    CHECK(run.engine.instances()[0].inbound.bandwidth_per_s == 0);
  }
  SECTION("on a client's link") {
    auto m = simple(1 * kMillisecond, 100.0, 1, 6 * kSecond);
    m.services[0].workers = 100;
    auto limit = make_fault("narrow", FaultKind::bandwidth, 2 * kSecond, 2 * kSecond);
    limit.target.client = 0;
    limit.options_as<faults::BandwidthOptions>().messages_per_s = 50.0;
    Run run(m, {limit});
    run.engine.run();
    CHECK(run.engine.results().services[0].series[3].counts.requests == 50);
  }
}

TEST_CASE("a zone outage silences the zone's instances and brings them back at its end", "[faults][zone]") {
  auto m = model(6, 40 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.refresh_interval_ns = 1 * kSecond;
  sim::ServiceConfig api = service("api", 2, 4, sim::ConstantDist{1 * kMillisecond}, 0);
  api.placement.push_back({1, 2});
  m.services.push_back(api);
  auto in_a = open_client("in-a", 0, 100.0, 0);
  in_a.policy.timeout_ns = 100 * kMillisecond;
  in_a.policy.retry.max_attempts = 3;
  m.clients.push_back(in_a);
  auto outage = make_fault("a-down", FaultKind::zone_down, 10 * kSecond, 10 * kSecond);
  outage.target.zone = 0;
  outage.options_as<faults::ZoneDownOptions>().restart_after_ns = 2 * kSecond;
  Run run(m, {outage});
  run.run_past(10 * kSecond);
  CHECK(run.status(0) == InstanceStatus::crashed);
  CHECK(run.status(1) == InstanceStatus::crashed);
  CHECK(run.status(2) == InstanceStatus::up);
  CHECK(run.engine.instances()[0].inbound.blocked);
  run.run_past(20 * kSecond);
  CHECK_FALSE(run.engine.instances()[0].inbound.blocked);
  CHECK(run.status(0) == InstanceStatus::crashed);  // the zone is back; its instances boot 2s later
  run.run_past(22 * kSecond);
  CHECK(run.status(0) == InstanceStatus::up);
  run.engine.run();
  // Requests sent into the dark zone time out (nothing answers) and are retried elsewhere: the
  // client in zone a keeps being served from zone b, bar the few whose three attempts all went
  // dark before discovery caught up.
  const auto& client = run.client();
  CHECK(client.retries > 100);
  CHECK(client.timeouts > 0);
  CHECK(client.timeouts < client.requests / 100);
  CHECK(run.engine.results().services[0].totals.errors == 0);  // no connection was refused or reset
}

TEST_CASE("during a registry outage changes are recorded but reach callers only at its end", "[faults][discovery]") {
  auto m = model(7, 60 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.refresh_interval_ns = 1 * kSecond;
  m.services.push_back(service("api", 3, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 100.0));
  Run run(m, {make_fault("outage", FaultKind::registry_outage, 10 * kSecond, 20 * kSecond),
              on_service(make_fault("crash", FaultKind::crash, 12 * kSecond), 0, {2})});
  run.engine.run_until(29 * kSecond);
  CHECK_FALSE(run.engine.registry_entry(2).passing);  // the registry knows ...
  CHECK(run.engine.registry_entry(2).published_healthy);  // ... the callers do not
  CHECK(run.engine.view_of(0).size() == 3);
  run.engine.run_until(32 * kSecond);
  CHECK(run.engine.view_of(0).size() == 2);
}

TEST_CASE("a registry delay postpones what callers see by the extra delay", "[faults][discovery]") {
  auto m = model(8, 60 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.unhealthy_threshold = 1;
  m.discovery.refresh_interval_ns = 100 * kMillisecond;
  m.services.push_back(service("api", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 10.0));
  auto delay = make_fault("slow-registry", FaultKind::registry_delay, 5 * kSecond, 30 * kSecond);
  delay.options_as<faults::RegistryDelayOptions>().delay_ns = 10 * kSecond;
  Run run(m, {delay, on_service(make_fault("crash", FaultKind::crash, 10 * kSecond), 0, {0})});
  run.engine.run_until(12 * kSecond);
  CHECK_FALSE(run.engine.registry_entry(0).passing);  // critical within a check (1s) ...
  CHECK(run.engine.view_of(0).size() == 2);
  run.engine.run_until(20 * kSecond);
  CHECK(run.engine.view_of(0).size() == 2);
  run.engine.run_until(21200 * kMillisecond);
  CHECK(run.engine.view_of(0).size() == 1);  // ... published 10s later
  CHECK(run.engine.registry().extra_delay_ns == 10 * kSecond);
  run.engine.run();
  CHECK(run.engine.registry().extra_delay_ns == 0);
}

TEST_CASE("a flapping health check fails for a period and passes for a period", "[faults][discovery]") {
  auto m = model(9, 100 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.unhealthy_threshold = 2;
  m.discovery.healthy_threshold = 2;
  m.services.push_back(service("api", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 10.0));
  auto flap = on_service(make_fault("flap", FaultKind::flapping_health_check, 10 * kSecond, 40 * kSecond), 0, {1});
  flap.options_as<faults::FlappingHealthCheckOptions>().period_ns = 10 * kSecond;
  Run run(m, {flap});
  run.engine.run();
  std::vector<std::pair<TimeNs, sim::RegistryChange>> changes;
  for (const auto& e : entries(run.engine, sim::TimelineKind::registry)) {
    CHECK(e.subject == 1);
    changes.emplace_back(e.at, static_cast<sim::RegistryChange>(e.detail));
  }
  // Fail [10s, 20s), pass [20s, 30s), fail [30s, 40s), pass [40s, 50s), then real checks (pass).
  REQUIRE(changes.size() == 4);
  const sim::RegistryChange expected[] = {sim::RegistryChange::critical, sim::RegistryChange::healthy,
                                          sim::RegistryChange::critical, sim::RegistryChange::healthy};
  const TimeNs phase_start[] = {10 * kSecond, 20 * kSecond, 30 * kSecond, 40 * kSecond};
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(changes[k].second == expected[k]);
    CHECK(changes[k].first > phase_start[k]);
    CHECK(changes[k].first <= phase_start[k] + 2 * kSecond);  // two checks 1s apart
  }
  CHECK(run.status(1) == InstanceStatus::up);  // the instance itself was fine all along
}

TEST_CASE("stale entries keep a dead instance listed until the fault ends", "[faults][discovery]") {
  auto m = model(10, 60 * kSecond);
  m.discovery.health_check_interval_ns = 1 * kSecond;
  m.discovery.refresh_interval_ns = 1 * kSecond;
  m.services.push_back(service("api", 2, 4, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 50.0));
  Run run(m, {on_service(make_fault("stale", FaultKind::stale_entries, 5 * kSecond, 25 * kSecond), 0, {1}),
              on_service(make_fault("crash", FaultKind::crash, 10 * kSecond), 0, {1})});
  run.engine.run_until(29 * kSecond);
  CHECK(run.engine.view_of(0).size() == 2);
  CHECK(run.client().errors > 300);  // half of ~19s of traffic refused
  run.engine.run_until(32 * kSecond);
  CHECK(run.engine.view_of(0).size() == 1);
}
