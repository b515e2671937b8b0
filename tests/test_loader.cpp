// Tests of scenario loading: schema messages, typed values, semantic checks, limits, and a
// corpus of malformed files that must each fail at a known place.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness/loader.hpp"
#include "harness/schema_text.hpp"

using namespace faultline;
using namespace faultline::harness;
using Json = nlohmann::ordered_json;
using sim::kMillisecond;
using sim::kSecond;

namespace {

const std::filesystem::path kSourceDir = FAULTLINE_SOURCE_DIR;

Scenario load_text(const std::string& text, const LoadLimits& limits = {}) {
  return load_scenario(JsonSource::parse("test.json", text), limits);
}

// The 1-based line and column where `needle` first occurs in `text`; a '^' in the needle marks
// the spot inside it.
SourceLocation position_of(const std::string& text, std::string needle) {
  const std::size_t mark = needle.find('^');
  const std::size_t offset = mark == std::string::npos ? 0 : mark;
  if (mark != std::string::npos) needle.erase(mark, 1);
  const std::size_t found = text.find(needle);
  REQUIRE(found != std::string::npos);
  const std::size_t at = found + offset;
  SourceLocation where{1, 1};
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else {
      ++where.column;
    }
  }
  return where;
}

// A small valid scenario; tests change one thing in it.
Json minimal() {
  return Json::parse(R"({
    "version": 1,
    "name": "minimal",
    "duration": "1m",
    "zones": ["a", "b"],
    "services": [
      {"name": "api", "instances": 2, "calls": [{"service": "db"}]},
      {"name": "db", "instances": 1}
    ],
    "clients": [{"name": "web", "zone": "a", "service": "api", "open_loop": {"rate": 10}}]
  })");
}

std::string text_of(const Json& doc) { return doc.dump(2) + "\n"; }

Scenario load_changed(const std::function<void(Json&)>& change, const LoadLimits& limits = {}) {
  Json doc = minimal();
  change(doc);
  return load_text(text_of(doc), limits);
}

// Loads the changed scenario, which must fail with an InputError; returns it with its text.
struct Failure {
  InputError error;
  std::string text;
};
Failure input_error_of(const std::function<void(Json&)>& change) {
  Json doc = minimal();
  change(doc);
  const std::string text = text_of(doc);
  try {
    load_text(text);
  } catch (const LimitError& error) {
    FAIL("expected an InputError, got a LimitError: " << error.what());
  } catch (const InputError& error) {
    return {error, text};
  }
  FAIL("expected an InputError from:\n" << text);
  throw std::logic_error("unreachable");
}

LimitError limit_error_of(const std::function<void(Json&)>& change, const LoadLimits& limits) {
  try {
    load_changed(change, limits);
  } catch (const LimitError& error) {
    return error;
  } catch (const InputError& error) {
    FAIL("expected a LimitError, got an InputError: " << error.what());
  }
  FAIL("expected a LimitError");
  throw std::logic_error("unreachable");
}

const char* kFullScenario = R"({
  "$schema": "../../scenarios/faultline.schema.json",
  "version": 1,
  "name": "checkout under a zone outage",
  "description": "A three-tier shop losing zone b.",
  "seed": 42,
  "duration": "10m",
  "metrics": {"bucket": "500ms"},
  "zones": ["a", "b", "c"],
  "network": {
    "same_zone": "200us",
    "cross_zone": {"lognormal": {"median": "1ms", "p99": "5ms"}},
    "links": [{"from": "a", "to": "c", "latency": {"uniform": {"min": "2ms", "max": "4ms"}}}]
  },
  "discovery": {"health_check_interval": "2s", "unhealthy_threshold": 3, "propagation_delay": "250ms"},
  "services": [
    {
      "name": "frontend", "instances": 5, "workers": 8, "queue_capacity": 0,
      "service_time": {"exponential": {"mean": "2ms"}},
      "calls": [
        {
          "service": "checkout", "operation": "pay", "timeout": "800ms",
          "retry": {
            "max_attempts": 3,
            "backoff": {"base": "50ms", "max": "1s", "multiplier": 1.5, "jitter": "full"},
            "retry_on": ["timeout", "rejected"],
            "budget": {"ratio": "10%"}
          },
          "breaker": {"max_requests": 2, "timeout": "30s", "trip": {"failure_ratio": 0.5, "min_requests": 20},
                      "scope": "caller_service"},
          "load_balancer": {"policy": "zone_aware", "min_local_ratio": "80%"},
          "outlier_detection": {"consecutive_errors": 3}
        },
        {"parallel": [{"service": "inventory", "probability": 0.25, "required": false}, {"service": "inventory"}]}
      ]
    },
    {
      "name": "checkout", "instances": [{"zone": "b", "count": 2}, {"zone": "a", "count": 1}],
      "service_time": "5ms",
      "operations": [
        {"name": "view"},
        {
          "name": "pay",
          "service_time": {"empirical": [
            {"quantile": 0, "value": "1ms"}, {"quantile": "50%", "value": "3ms"},
            {"quantile": 0.99, "value": "20ms"}, {"quantile": 1, "value": "50ms"}
          ]},
          "calls": [{"service": "inventory", "operation": "reserve"}]
        }
      ]
    },
    {
      "name": "inventory", "instances": 2,
      "operations": [{"name": "get", "service_time": {"normal": {"mean": "3ms", "stddev": "1ms"}}}, {"name": "reserve"}]
    }
  ],
  "clients": [
    {
      "name": "web", "zone": "a", "service": "frontend",
      "open_loop": {
        "arrivals": "constant", "rate": 100,
        "schedule": [
          {"at": "1m", "rate": 200, "ramp": true},
          {"at": "2m", "rate": 1000, "for": "10s"},
          {"at": "5m", "rate": 50}
        ]
      },
      "timeout": "2s", "load_balancer": "least_outstanding"
    },
    {
      "name": "batch", "zone": "c", "service": "checkout", "operation": "pay", "start": "30s", "stop": "9m",
      "closed_loop": {
        "users": 20, "think_time": "1s",
        "session": [{"operation": "view"}, {"operation": "pay", "think_time": {"constant": "2s"}}]
      }
    }
  ],
  "faults": [
    {"name": "zone-b-down", "kind": "zone_down", "target": {"zone": "b"}, "at": "3m", "duration": "2m"},
    {"name": "slow-inventory", "kind": "slowdown", "target": {"service": "inventory", "instances": [1]},
     "at": "1m", "duration": "30s", "factor": 3},
    {"name": "crash-checkout", "kind": "crash", "target": {"service": "checkout", "zone": "b", "fraction": "50%"},
     "at": "6m", "restart_after": "20s", "warmup": "10s", "warmup_factor": 2},
    {"name": "wan-latency", "kind": "latency", "target": {"from_zone": "a", "to_zone": "c", "both_directions": false},
     "at": "7m", "duration": "1m", "delay": {"exponential": {"mean": "40ms"}}, "ramp": "10s"},
    {"name": "monkey", "kind": "chaos_monkey", "target": {"service": "inventory"}, "at": "0s", "interval": "30s",
     "probability": 0.2}
  ],
  "assertions": [
    {"name": "web stays available", "type": "availability", "client": "web", "min": "99.5%", "window": "1m"},
    {"name": "p99.9 under 300ms", "type": "latency", "service": "checkout", "percentile": 99.9, "max": "300ms"},
    {"name": "few retries", "type": "count", "metric": "retries", "max": 5000},
    {"name": "recovers after zone b", "type": "recovery", "client": "web", "fault": "zone-b-down", "min": 0.99,
     "max": "30s"},
    {"name": "breaker opens", "type": "breaker", "caller_service": "frontend", "callee": "checkout",
     "fault": "zone-b-down", "opens_within": "10s", "closes_within": "1m"},
    {"name": "no traffic to crashed", "type": "no_traffic_to_crashed", "fault": "crash-checkout", "within": "15s"}
  ]
})";

template <typename T>
const T& as(const sim::Distribution& dist) {
  REQUIRE(std::holds_alternative<T>(dist));
  return std::get<T>(dist);
}

}  // namespace

TEST_CASE("a full scenario loads into exactly the expected model", "[loader]") {
  const Scenario scenario = load_text(kFullScenario);
  CHECK(scenario.version == 1);
  CHECK(scenario.name == "checkout under a zone outage");
  CHECK(scenario.description == "A three-tier shop losing zone b.");
  const sim::ModelConfig& model = scenario.model;
  CHECK(model.seed == 42);
  CHECK(model.duration_ns == 600 * kSecond);
  CHECK(model.bucket_ns == 500 * kMillisecond);
  CHECK(model.zones == std::vector<std::string>{"a", "b", "c"});

  SECTION("network") {
    CHECK(as<sim::ConstantDist>(model.network.same_zone_latency).value_ns == 200'000);
    const auto& cross = as<sim::LogNormalDist>(model.network.cross_zone_latency);
    CHECK(cross.median_ns == 1 * kMillisecond);
    CHECK(cross.p99_ns == 5 * kMillisecond);
    REQUIRE(model.network.links.size() == 1);
    CHECK(model.network.links[0].from_zone == 0);
    CHECK(model.network.links[0].to_zone == 2);
    CHECK(as<sim::UniformDist>(model.network.links[0].latency).min_ns == 2 * kMillisecond);
    CHECK(as<sim::UniformDist>(model.network.links[0].latency).max_ns == 4 * kMillisecond);
  }
  SECTION("discovery: given values and defaults") {
    const sim::DiscoveryConfig& discovery = model.discovery;
    CHECK(discovery.health_checks);
    CHECK(discovery.health_check_interval_ns == 2 * kSecond);
    CHECK(discovery.health_check_timeout_ns == 1 * kSecond);
    CHECK(discovery.unhealthy_threshold == 3);
    CHECK(discovery.healthy_threshold == 2);
    CHECK(discovery.deregister_after_ns == 60 * kSecond);
    CHECK(discovery.refresh_interval_ns == 10 * kSecond);
    CHECK(discovery.propagation_delay_ns == 250 * kMillisecond);
  }
  SECTION("services, operations and calls") {
    REQUIRE(model.services.size() == 3);
    const sim::ServiceConfig& frontend = model.services[0];
    CHECK(frontend.name == "frontend");
    CHECK(frontend.workers == 8);
    CHECK(frontend.queue_capacity == 0);
    REQUIRE(frontend.operations.size() == 1);
    CHECK(frontend.operations[0].name == "default");
    CHECK(as<sim::ExponentialDist>(frontend.operations[0].service_time).mean_ns == 2 * kMillisecond);
    REQUIRE(frontend.operations[0].steps.size() == 2);

    const sim::CallStep& pay = frontend.operations[0].steps[0].calls.at(0);
    CHECK(pay.service == 1);
    CHECK(pay.operation == 1);
    CHECK(pay.probability == 1.0);
    CHECK(pay.required);
    const sim::CallPolicy& policy = pay.policy;
    CHECK(policy.timeout_ns == 800 * kMillisecond);
    CHECK(policy.retry.max_attempts == 3);
    CHECK(policy.retry.backoff_base_ns == 50 * kMillisecond);
    CHECK(policy.retry.backoff_max_ns == 1 * kSecond);
    CHECK(policy.retry.backoff_multiplier == 1.5);
    CHECK(policy.retry.jitter == sim::Jitter::full);
    CHECK(policy.retry.retry_on_mask ==
          (sim::outcome_bit(sim::Outcome::timeout) | sim::outcome_bit(sim::Outcome::rejected)));
    CHECK(policy.retry.budget.enabled);
    CHECK(policy.retry.budget.ratio == Approx(0.1));
    CHECK(policy.retry.budget.min_retries_per_s == 10.0);
    CHECK(policy.breaker.enabled);
    CHECK(policy.breaker.max_requests == 2);
    CHECK(policy.breaker.interval_ns == 0);
    CHECK(policy.breaker.timeout_ns == 30 * kSecond);
    CHECK(policy.breaker.trip == sim::TripRule::failure_ratio);
    CHECK(policy.breaker.failure_ratio == 0.5);
    CHECK(policy.breaker.min_requests == 20);
    CHECK(policy.breaker.scope == sim::BreakerScope::per_caller_service);
    CHECK(policy.load_balancer == sim::LoadBalancer::zone_aware);
    CHECK(policy.zone_aware_min_local_ratio == Approx(0.8));
    CHECK(policy.outlier.enabled);
    CHECK(policy.outlier.consecutive_errors == 3);
    CHECK(policy.outlier.base_ejection_ns == 30 * kSecond);
    CHECK(policy.outlier.max_ejection_ratio == Approx(0.1));

    const sim::Step& fan_out = frontend.operations[0].steps[1];
    REQUIRE(fan_out.calls.size() == 2);
    CHECK(fan_out.calls[0].service == 2);
    CHECK(fan_out.calls[0].operation == 0);  // the callee's first operation
    CHECK(fan_out.calls[0].probability == 0.25);
    CHECK_FALSE(fan_out.calls[0].required);
    CHECK(fan_out.calls[1].required);
    CHECK_FALSE(fan_out.calls[1].policy.breaker.enabled);
    CHECK_FALSE(fan_out.calls[1].policy.retry.budget.enabled);
    CHECK(fan_out.calls[1].policy.retry.max_attempts == 1);
    CHECK(fan_out.calls[1].policy.load_balancer == sim::LoadBalancer::round_robin);

    const sim::ServiceConfig& checkout = model.services[1];
    REQUIRE(checkout.placement.size() == 2);
    CHECK(checkout.placement[0].zone == 1);
    CHECK(checkout.placement[0].count == 2);
    CHECK(checkout.placement[1].zone == 0);
    CHECK(checkout.placement[1].count == 1);
    CHECK(checkout.workers == 1);
    CHECK(checkout.queue_capacity == 1000);
    REQUIRE(checkout.operations.size() == 2);
    CHECK(checkout.operations[0].name == "view");
    CHECK(as<sim::ConstantDist>(checkout.operations[0].service_time).value_ns == 5 * kMillisecond);
    CHECK(checkout.operations[0].steps.empty());
    const auto& table = as<sim::EmpiricalDist>(checkout.operations[1].service_time).points;
    REQUIRE(table.size() == 4);
    CHECK(table[0].quantile == 0.0);
    CHECK(table[0].value_ns == 1 * kMillisecond);
    CHECK(table[1].quantile == 0.5);
    CHECK(table[1].value_ns == 3 * kMillisecond);
    CHECK(table[2].quantile == 0.99);
    CHECK(table[3].quantile == 1.0);
    CHECK(table[3].value_ns == 50 * kMillisecond);
    CHECK(checkout.operations[1].steps.at(0).calls.at(0).service == 2);
    CHECK(checkout.operations[1].steps.at(0).calls.at(0).operation == 1);

    const sim::ServiceConfig& inventory = model.services[2];
    const auto& normal = as<sim::NormalDist>(inventory.operations[0].service_time);
    CHECK(normal.mean_ns == 3 * kMillisecond);
    CHECK(normal.stddev_ns == 1 * kMillisecond);
    CHECK(as<sim::ConstantDist>(inventory.operations[1].service_time).value_ns == 0);
  }
  SECTION("a number of instances is spread over the zones round robin") {
    std::vector<std::uint32_t> zone_of_instance;
    for (const sim::InstanceGroup& group : model.services[0].placement) {
      zone_of_instance.insert(zone_of_instance.end(), group.count, group.zone);
    }
    CHECK(zone_of_instance == std::vector<std::uint32_t>{0, 1, 2, 0, 1});
    std::vector<std::uint32_t> inventory_zones;
    for (const sim::InstanceGroup& group : model.services[2].placement) {
      inventory_zones.insert(inventory_zones.end(), group.count, group.zone);
    }
    CHECK(inventory_zones == std::vector<std::uint32_t>{0, 1});
  }
  SECTION("an open-loop client with a ramp and a spike") {
    const sim::ClientConfig& web = model.clients.at(0);
    CHECK(web.name == "web");
    CHECK(web.zone == 0);
    CHECK(web.service == 0);
    CHECK(web.operation == 0);
    CHECK_FALSE(web.closed_loop);
    CHECK(web.arrivals == sim::ArrivalProcess::constant);
    CHECK(web.start_ns == 0);
    CHECK(web.stop_ns == 600 * kSecond);
    CHECK(web.policy.timeout_ns == 2 * kSecond);
    CHECK(web.policy.load_balancer == sim::LoadBalancer::least_outstanding);
    // The spike at 2m for 10s becomes a step up at 2m and a step back to 200 at 2m10s.
    const std::vector<std::tuple<sim::TimeNs, double, bool>> expected{
        {0, 100, false},
        {60 * kSecond, 200, true},
        {120 * kSecond, 1000, false},
        {130 * kSecond, 200, false},
        {300 * kSecond, 50, false},
    };
    REQUIRE(web.schedule.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(web.schedule[i].at_ns == std::get<0>(expected[i]));
      CHECK(web.schedule[i].rate_per_s == std::get<1>(expected[i]));
      CHECK(web.schedule[i].ramp == std::get<2>(expected[i]));
    }
  }
  SECTION("a closed-loop client with a session") {
    const sim::ClientConfig& batch = model.clients.at(1);
    CHECK(batch.zone == 2);
    CHECK(batch.service == 1);
    CHECK(batch.operation == 1);
    CHECK(batch.closed_loop);
    CHECK(batch.users == 20);
    CHECK(batch.start_ns == 30 * kSecond);
    CHECK(batch.stop_ns == 540 * kSecond);
    REQUIRE(batch.session.size() == 2);
    CHECK(batch.session[0].operation == 0);
    CHECK(as<sim::ConstantDist>(batch.session[0].think_time).value_ns == 1 * kSecond);  // the loop's think time
    CHECK(batch.session[1].operation == 1);
    CHECK(as<sim::ConstantDist>(batch.session[1].think_time).value_ns == 2 * kSecond);
  }
  SECTION("faults") {
    REQUIRE(scenario.faults.size() == 5);
    const faults::FaultSpec& zone_down = scenario.faults[0];
    CHECK(zone_down.name == "zone-b-down");
    CHECK(zone_down.kind == faults::FaultKind::zone_down);
    CHECK(zone_down.target.zone == 1u);
    CHECK(zone_down.at_ns == 180 * kSecond);
    CHECK(zone_down.duration_ns == 120 * kSecond);
    CHECK(zone_down.options_as<faults::ZoneDownOptions>().restart_after_ns == sim::kNever);

    const faults::FaultSpec& slow = scenario.faults[1];
    CHECK(slow.kind == faults::FaultKind::slowdown);
    CHECK(slow.target.service == 2u);
    CHECK(slow.target.instances == std::vector<std::uint32_t>{1});
    CHECK(slow.options_as<faults::SlowdownOptions>().factor == 3.0);

    const faults::FaultSpec& crash = scenario.faults[2];
    CHECK(crash.kind == faults::FaultKind::crash);
    CHECK(crash.target.service == 1u);
    CHECK(crash.target.zone == 1u);
    CHECK(crash.target.fraction == 0.5);
    CHECK(crash.duration_ns == sim::kNever);
    CHECK(crash.options_as<faults::CrashOptions>().restart_after_ns == 20 * kSecond);
    CHECK(crash.options_as<faults::CrashOptions>().warmup_ns == 10 * kSecond);
    CHECK(crash.options_as<faults::CrashOptions>().warmup_factor == 2.0);

    const faults::FaultSpec& latency = scenario.faults[3];
    CHECK(latency.kind == faults::FaultKind::latency);
    CHECK(latency.target.from_zone == 0u);
    CHECK(latency.target.to_zone == 2u);
    CHECK_FALSE(latency.target.both_directions);
    CHECK_FALSE(latency.target.service.has_value());
    CHECK(as<sim::ExponentialDist>(latency.options_as<faults::LatencyOptions>().delay).mean_ns == 40 * kMillisecond);
    CHECK(latency.options_as<faults::LatencyOptions>().ramp_ns == 10 * kSecond);

    const faults::FaultSpec& monkey = scenario.faults[4];
    CHECK(monkey.kind == faults::FaultKind::chaos_monkey);
    CHECK(monkey.at_ns == 0);
    CHECK(monkey.options_as<faults::ChaosMonkeyOptions>().interval_ns == 30 * kSecond);
    CHECK(monkey.options_as<faults::ChaosMonkeyOptions>().probability == 0.2);
    CHECK(monkey.options_as<faults::ChaosMonkeyOptions>().max_down_per_service == 1);
  }
  SECTION("assertions") {
    REQUIRE(scenario.assertions.size() == 6);
    const AssertionSpec& availability = scenario.assertions[0];
    CHECK(availability.kind == AssertionKind::availability);
    CHECK(availability.target_kind == TargetKind::client);
    CHECK(availability.target == 0);
    CHECK(availability.min_ratio == Approx(0.995));
    CHECK(availability.window_ns == 60 * kSecond);
    CHECK_FALSE(availability.during_fault.has_value());

    const AssertionSpec& latency = scenario.assertions[1];
    CHECK(latency.kind == AssertionKind::latency);
    CHECK(latency.target_kind == TargetKind::service);
    CHECK(latency.target == 1);
    CHECK(latency.percentile == 99.9);
    CHECK(latency.max_ns == 300 * kMillisecond);

    const AssertionSpec& count = scenario.assertions[2];
    CHECK(count.kind == AssertionKind::count);
    CHECK(count.target_kind == TargetKind::all_clients);
    CHECK(count.metric == CountMetric::retries);
    CHECK_FALSE(count.min_count.has_value());
    CHECK(count.max_count == 5000u);

    const AssertionSpec& recovery = scenario.assertions[3];
    CHECK(recovery.kind == AssertionKind::recovery);
    CHECK(recovery.fault == 0u);
    CHECK(recovery.min_ratio == 0.99);
    CHECK(recovery.window_ns == 10 * kSecond);
    CHECK(recovery.max_ns == 30 * kSecond);

    const AssertionSpec& breaker = scenario.assertions[4];
    CHECK(breaker.kind == AssertionKind::breaker);
    CHECK(breaker.caller_service == 0u);
    CHECK_FALSE(breaker.caller_client.has_value());
    CHECK(breaker.callee_service == 1);
    CHECK(breaker.fault == 0u);
    CHECK(breaker.open_within_ns == 10 * kSecond);
    CHECK(breaker.close_within_ns == 60 * kSecond);

    const AssertionSpec& crashed = scenario.assertions[5];
    CHECK(crashed.kind == AssertionKind::no_traffic_to_crashed);
    CHECK(crashed.fault == 2u);
    CHECK(crashed.within_ns == 15 * kSecond);
  }
}

TEST_CASE("a scenario keeps its file path and its exact bytes", "[loader]") {
  const std::string text = text_of(minimal());
  const Scenario scenario = load_scenario(JsonSource::parse("dir/minimal.json", text));
  CHECK(scenario.file == "dir/minimal.json");
  CHECK(scenario.bytes == text);
}

TEST_CASE("defaults apply when optional keys are absent", "[loader]") {
  const Scenario scenario = load_text(text_of(minimal()));
  const sim::ModelConfig& model = scenario.model;
  CHECK(model.seed == 1);
  CHECK(model.bucket_ns == 1 * kSecond);
  CHECK(scenario.faults.empty());
  CHECK(scenario.assertions.empty());
  CHECK(std::holds_alternative<sim::ConstantDist>(model.network.same_zone_latency));
  CHECK(model.network.links.empty());
  const sim::ServiceConfig& db = model.services[1];
  CHECK(db.workers == 1);
  CHECK(db.queue_capacity == 1000);
  REQUIRE(db.operations.size() == 1);
  CHECK(db.operations[0].name == "default");
  CHECK(as<sim::ConstantDist>(db.operations[0].service_time).value_ns == 0);
  const sim::CallPolicy& policy = model.services[0].operations[0].steps.at(0).calls.at(0).policy;
  CHECK(policy.timeout_ns == 0);
  CHECK(policy.retry.max_attempts == 1);
  CHECK(policy.retry.retry_on_mask == sim::kRetryOnDefault);
  CHECK_FALSE(policy.breaker.enabled);
  CHECK_FALSE(policy.outlier.enabled);
  const sim::ClientConfig& web = model.clients[0];
  CHECK(web.arrivals == sim::ArrivalProcess::poisson);
  REQUIRE(web.schedule.size() == 1);
  CHECK(web.schedule[0].at_ns == 0);
  CHECK(web.schedule[0].rate_per_s == 10.0);
  CHECK(web.stop_ns == model.duration_ns);
}

TEST_CASE("a closed loop without a session runs the client's operation", "[loader]") {
  const Scenario scenario = load_changed([](Json& doc) {
    doc["services"][1]["operations"] = Json::parse(R"([{"name": "read"}, {"name": "write"}])");
    doc["clients"][0] = Json::parse(R"({"name": "users", "zone": "b", "service": "db", "operation": "write",
      "closed_loop": {"users": 7, "think_time": {"exponential": {"mean": "5s"}}}})");
  });
  const sim::ClientConfig& users = scenario.model.clients[0];
  CHECK(users.closed_loop);
  CHECK(users.users == 7);
  REQUIRE(users.session.size() == 1);
  CHECK(users.session[0].operation == 1);
  CHECK(as<sim::ExponentialDist>(users.session[0].think_time).mean_ns == 5 * kSecond);
}

TEST_CASE("a ramped spike returns to the rate held before it", "[loader]") {
  const Scenario scenario = load_changed([](Json& doc) {
    doc["clients"][0]["open_loop"]["schedule"] =
        Json::parse(R"([{"at": "10s", "rate": 50, "ramp": true, "for": "5s"}, {"at": "30s", "rate": 0, "ramp": true}])");
  });
  const auto& schedule = scenario.model.clients[0].schedule;
  REQUIRE(schedule.size() == 4);
  CHECK(schedule[1].at_ns == 10 * kSecond);
  CHECK(schedule[1].ramp);
  CHECK(schedule[2].at_ns == 15 * kSecond);
  CHECK(schedule[2].rate_per_s == 10.0);
  CHECK_FALSE(schedule[2].ramp);
  CHECK(schedule[3].rate_per_s == 0.0);
  CHECK(schedule[3].ramp);
}

TEST_CASE("durations and ratios accept every form of their grammar", "[loader]") {
  const Scenario scenario = load_changed([](Json& doc) {
    doc["duration"] = "1h2m3.5s";
    doc["services"][1]["service_time"] = "1.5µs";
    doc["services"][0]["calls"][0]["timeout"] = "0";
    doc["services"][0]["calls"][0]["probability"] = "99.9%";
    doc["clients"][0]["timeout"] = ".5s";
    doc["clients"][0]["retry"] = Json::parse(R"({"budget": {"ratio": 0}})");
  });
  CHECK(scenario.model.duration_ns == 3723 * kSecond + 500 * kMillisecond);
  CHECK(as<sim::ConstantDist>(scenario.model.services[1].operations[0].service_time).value_ns == 1500);
  const sim::CallStep& call = scenario.model.services[0].operations[0].steps[0].calls[0];
  CHECK(call.policy.timeout_ns == 0);
  CHECK(call.probability == 0.999);
  CHECK(scenario.model.clients[0].policy.timeout_ns == 500 * kMillisecond);
  CHECK(scenario.model.clients[0].policy.retry.budget.enabled);
  CHECK(scenario.model.clients[0].policy.retry.budget.ratio == 0.0);
}

TEST_CASE("an unknown key is located at the key itself", "[loader][schema]") {
  const Failure failure = input_error_of([](Json& doc) { doc["services"][0]["wokers"] = 4; });
  CHECK(failure.error.pointer == "/services/0/wokers");
  CHECK(failure.error.message == "unknown key \"wokers\" (did you mean \"workers\"?)");
  const SourceLocation expected = position_of(failure.text, "\"wokers\"");
  CHECK(failure.error.where.line == expected.line);
  CHECK(failure.error.where.column == expected.column);
}

TEST_CASE("an unknown key far from any known key lists the keys allowed there", "[loader][schema]") {
  const Failure failure = input_error_of([](Json& doc) { doc["metrics"] = Json::parse(R"({"resolution": "1s"})"); });
  CHECK(failure.error.pointer == "/metrics/resolution");
  CHECK(failure.error.message == "unknown key \"resolution\"; the keys allowed here are: bucket");
}

TEST_CASE("schema errors say what was expected", "[loader][schema]") {
  struct Case {
    std::function<void(Json&)> change;
    std::string pointer;
    std::string message;
  };
  const std::vector<Case> cases{
      {[](Json& d) { d["name"] = 5; }, "/name", "expected a string of 1 to 200 characters, got 5"},
      {[](Json& d) { d["services"][0]["workers"] = "four"; }, "/services/0/workers",
       "expected an integer from 1 to 1000000, got \"four\""},
      {[](Json& d) { d["discovery"] = Json::parse(R"({"health_checks": "yes"})"); }, "/discovery/health_checks",
       "expected true or false, got \"yes\""},
      {[](Json& d) { d["duration"] = "90 seconds"; }, "/duration",
       "expected a duration like \"250ms\" or \"1m30s\", got \"90 seconds\""},
      {[](Json& d) { d["services"][0]["calls"][0]["probability"] = "120%"; }, "/services/0/calls/0/probability",
       "expected a percentage from \"0%\" to \"100%\" like \"5%\" or \"99.9%\", got \"120%\""},
      {[](Json& d) { d["services"][0]["calls"][0]["probability"] = true; }, "/services/0/calls/0/probability",
       "expected a ratio: a number from 0 to 1 or a percentage like \"5%\", got true"},
      {[](Json& d) { d["clients"][0]["open_loop"]["arrivals"] = "bursty"; }, "/clients/0/open_loop/arrivals",
       "expected one of: poisson, constant, got \"bursty\""},
      {[](Json& d) { d["services"][1]["service_time"] = Json::parse(R"({"uniform": {"min": "1ms"}})"); },
       "/services/1/service_time/uniform", "missing required key \"max\""},
      {[](Json& d) { d["services"][1]["service_time"] = Json::array(); }, "/services/1/service_time",
       "expected a distribution: a duration like \"10ms\", or an object with one of the keys constant, exponential, "
       "uniform, normal, lognormal, empirical, got an array"},
      {[](Json& d) { d["zones"] = Json::object(); }, "/zones", "expected an array of 1 to 65536 items, got an object"},
      {[](Json& d) { d.erase("clients"); }, "", "missing required key \"clients\""},
  };
  for (const Case& c : cases) {
    const Failure failure = input_error_of(c.change);
    INFO(failure.error.what());
    CHECK(failure.error.pointer == c.pointer);
    CHECK(failure.error.message == c.message);
    CHECK(failure.error.where.line > 0);
  }
}

TEST_CASE("schema_errors reports every problem, in file order", "[loader][schema]") {
  Json doc = minimal();
  doc["services"][0]["workers"] = 0;
  doc["zones"][1] = "b b";
  doc["clients"][0]["colour"] = "blue";
  const std::string text = text_of(doc);
  const std::vector<InputError> errors = schema_errors(JsonSource::parse("t.json", text));
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].pointer == "/zones/1");
  CHECK(errors[1].pointer == "/services/0/workers");
  CHECK(errors[2].pointer == "/clients/0/colour");
  CHECK(schema_errors(JsonSource::parse("t.json", text_of(minimal()))).empty());
}

TEST_CASE("a very long string is refused without running out of stack", "[loader][schema]") {
  const Failure failure = input_error_of([](Json& doc) {
    std::string long_duration;
    for (int i = 0; i < 500'000; ++i) long_duration += "1s";
    doc["duration"] = long_duration;
    doc["services"][0]["name"] = std::string(1'000'000, 'a');
  });
  CHECK(failure.error.pointer == "/duration");
}

TEST_CASE("semantic errors name the offending value's pointer, line and column", "[loader][semantic]") {
  struct Case {
    std::function<void(Json&)> change;
    std::string pointer;
    std::string needle;  // where the error must be located in the text
    std::string message;
  };
  const std::vector<Case> cases{
      {[](Json& d) { d["services"][0]["calls"][0]["service"] = "cache"; }, "/services/0/calls/0/service",
       "\"service\": \"cache\"", "unknown service \"cache\"; the services are: api, db"},
      {[](Json& d) { d["clients"][0]["zone"] = "eu-1"; }, "/clients/0/zone", "\"zone\": \"eu-1\"",
       "unknown zone \"eu-1\"; the zones are: a, b"},
      {[](Json& d) { d["services"][1]["name"] = "api"; }, "/services/1/name", "\"name\": \"api\",\n      \"instances\": 1",
       "duplicate service name \"api\" (first defined at /services/0/name)"},
      {[](Json& d) { d["services"][1]["service_time"] = Json::parse(R"({"lognormal": {"median": "5ms", "p99": "5ms"}})"); },
       "/services/1/service_time/lognormal/p99", "\"p99\"", "expected p99 greater than the median (5ms), got 5ms"},
      {[](Json& d) { d["services"][0]["calls"][0]["timeout"] = "-1s"; }, "/services/0/calls/0/timeout", "\"timeout\"",
       "expected a duration >= 0, got \"-1s\" (durations are never negative)"},
      {[](Json& d) {
         d["clients"][0]["open_loop"]["schedule"] = Json::parse(R"([{"at": "10s", "rate": 5, "for": "20s"}, {"at": "20s", "rate": 1}])");
       },
       "/clients/0/open_loop/schedule/1/at", "\"at\": \"20s\"",
       "expected a time after 30s: schedule points come in increasing order of \"at\" (and after any spike before them ends)"},
      {[](Json& d) { d["faults"] = Json::parse(R"([{"name": "f", "kind": "crash", "target": {"service": "db"}, "at": "1s", "factor": 2}])"); },
       "/faults/0/factor", "\"factor\"", "option \"factor\" does not apply to a crash fault"},
      {[](Json& d) {
         d["assertions"] = Json::parse(R"([{"name": "fast", "type": "availability", "min": 0.9, "percentile": 99}])");
       },
       "/assertions/0/percentile", "\"percentile\"", "key \"percentile\" does not apply to an availability assertion"},
      {[](Json& d) { d["services"][0]["calls"][0]["breaker"] = Json::parse(R"({"trip": {"consecutive_failures": 3, "failure_ratio": 0.5}})"); },
       "/services/0/calls/0/breaker/trip/consecutive_failures", "\"consecutive_failures\"",
       "give either consecutive_failures or failure_ratio, not both"},
      {[](Json& d) { d["clients"][0]["load_balancer"] = Json::parse(R"({"policy": "random", "min_local_ratio": 0.5})"); },
       "/clients/0/load_balancer/min_local_ratio", "\"min_local_ratio\"",
       "\"min_local_ratio\" only applies to the zone_aware policy"},
      {[](Json& d) { d["metrics"] = Json::parse(R"({"bucket": "10us"})"); }, "/metrics/bucket", "\"bucket\"",
       "expected a bucket width of at least 1ms, got 10µs"},
      {[](Json& d) { d["zones"] = Json::parse(R"(["a", "b", "a"])"); }, "/zones/2", "\"a\"\n  ]",
       "duplicate zone name \"a\" (first defined at /zones/0)"},
      {[](Json& d) { d["services"][0]["calls"][0]["retry"] = Json::parse(R"({"retry_on": ["timeout", "timeout"]})"); },
       "/services/0/calls/0/retry/retry_on/1", "\"timeout\"\n", "outcome \"timeout\" is listed twice"},
      {[](Json& d) {
         d["faults"] = Json::parse(R"([{"name": "f", "kind": "hang", "target": {"service": "api", "instances": [1, 1]}, "at": "1s"}])");
       },
       "/faults/0/target/instances/1", "[\n          1,\n          ^1", "instance 1 is listed twice"},
  };
  for (const Case& c : cases) {
    const Failure failure = input_error_of(c.change);
    INFO(failure.error.what());
    CHECK(failure.error.pointer == c.pointer);
    CHECK(failure.error.message == c.message);
    const SourceLocation expected = position_of(failure.text, c.needle);
    CHECK(failure.error.where.line == expected.line);
    CHECK(failure.error.where.column == expected.column);
  }
}

TEST_CASE("call cycles are rejected at load time, naming the cycle", "[loader][semantic]") {
  SECTION("between services") {
    const Failure failure = input_error_of([](Json& doc) { doc["services"][1]["calls"] = Json::parse(R"([{"service": "api"}])"); });
    CHECK(failure.error.pointer == "/services/1/calls/0/service");
    CHECK(failure.error.message == "call cycle: api -> db -> api (calls must not loop back)");
  }
  SECTION("a service calling itself") {
    const Failure failure = input_error_of([](Json& doc) { doc["services"][1]["calls"] = Json::parse(R"([{"service": "db"}])"); });
    CHECK(failure.error.message == "call cycle: db -> db (calls must not loop back)");
  }
  SECTION("between operations, inside a parallel step") {
    const Failure failure = input_error_of([](Json& doc) {
      doc["services"][0].erase("calls");
      doc["services"][0]["operations"] = Json::parse(R"([
        {"name": "get", "calls": [{"service": "db"}]},
        {"name": "put", "calls": [{"parallel": [{"service": "db"}, {"service": "db", "operation": "default"}]}]}])");
      doc["services"][1]["calls"] = Json::parse(R"([{"service": "api", "operation": "put"}])");
    });
    CHECK(failure.error.pointer == "/services/0/operations/1/calls/0/parallel/0/service");
    CHECK(failure.error.message == "call cycle: db -> api/put -> db (calls must not loop back)");
  }
  SECTION("a service may call another operation of itself") {
    const Scenario scenario = load_changed([](Json& doc) {
      doc["services"][1]["operations"] = Json::parse(R"([{"name": "read", "calls": [{"service": "db", "operation": "cache"}]},
                                                         {"name": "cache"}])");
    });
    CHECK(scenario.model.services[1].operations[0].steps[0].calls[0].operation == 1);
  }
}

TEST_CASE("limits give a LimitError naming the limit and its flag", "[loader][limits]") {
  LoadLimits limits;
  SECTION("instances") {
    const LimitError error = limit_error_of([](Json& doc) { doc["services"][1]["instances"] = 250'000; }, limits);
    CHECK(error.limit == "max_instances");
    CHECK(error.flag == "--max-instances");
    CHECK(error.pointer == "/services/1/instances");
    CHECK(error.where.line > 0);
    CHECK(error.message == "scenario asks for 250002 instances; the limit is 100000 (raise it with --max-instances)");
  }
  SECTION("raising the limit lets the same scenario load") {
    limits.max_instances = 300'000;
    const Scenario scenario = load_changed([](Json& doc) { doc["services"][1]["instances"] = 250'000; }, limits);
    CHECK(scenario.model.services[1].placement.size() == 250'000);  // round robin over two zones
  }
  SECTION("services and clients") {
    limits.max_services = 1;
    limits.max_clients = 0;
    const LimitError error = limit_error_of([](Json&) {}, limits);
    CHECK(error.limit == "max_services");
    CHECK(error.flag == "--max-services");
    CHECK(error.pointer == "/services");
  }
  SECTION("closed-loop users over all clients") {
    limits.max_users = 100;
    const LimitError error = limit_error_of([](Json& doc) {
      doc["clients"].push_back(Json::parse(R"({"name": "a", "zone": "a", "service": "db", "closed_loop": {"users": 60}})"));
      doc["clients"].push_back(Json::parse(R"({"name": "b", "zone": "b", "service": "db", "closed_loop": {"users": 60}})"));
    }, limits);
    CHECK(error.flag == "--max-users");
    CHECK(error.pointer == "/clients/2/closed_loop/users");
  }
  SECTION("simulated time") {
    const LimitError error = limit_error_of([](Json& doc) { doc["duration"] = "25h"; }, limits);
    CHECK(error.limit == "max_duration_ns");
    CHECK(error.flag == "--max-sim-time");
    CHECK(error.message == "scenario asks for 25h0m0s of simulated time; the limit is 24h0m0s (raise it with --max-sim-time)");
  }
  SECTION("request rate, at any point of the schedule") {
    limits.max_rate_per_s = 500;
    const LimitError error = limit_error_of([](Json& doc) {
      doc["clients"][0]["open_loop"]["schedule"] = Json::parse(R"([{"at": "5s", "rate": 400}, {"at": "9s", "rate": 600, "for": "1s"}])");
    }, limits);
    CHECK(error.flag == "--max-rate");
    CHECK(error.pointer == "/clients/0/open_loop/schedule/1/rate");
    CHECK(error.message == "client \"web\" asks for 600 requests per second; the limit is 500 (raise it with --max-rate)");
  }
  SECTION("an input error elsewhere in the file comes first") {
    Json doc = minimal();
    doc["services"][1]["instances"] = 250'000;
    doc["clients"][0]["zone"] = "nowhere";
    CHECK_THROWS_MATCHES(load_text(text_of(doc)), InputError, Catch::Matchers::Predicate<InputError>([](const InputError& e) {
                           return e.pointer == "/clients/0/zone";
                         }));
  }
}

TEST_CASE("every fault kind loads with the options it accepts", "[loader][faults]") {
  const Json faults = Json::parse(R"([
    {"name": "f0", "kind": "crash", "target": {"service": "api", "instances": [1]}, "at": "1s", "restart_after": "5s"},
    {"name": "f1", "kind": "shutdown", "target": {"service": "api"}, "at": "1s", "duration": "5s", "period": "2s"},
    {"name": "f2", "kind": "hang", "target": {"service": "db"}, "at": "1s"},
    {"name": "f3", "kind": "pause", "target": {"service": "db"}, "at": "1s", "duration": "800ms"},
    {"name": "f4", "kind": "slowdown", "target": {"service": "db", "fraction": 0.5}, "at": "1s", "factor": 4},
    {"name": "f5", "kind": "worker_loss", "target": {"service": "db"}, "at": "1s", "workers": 0},
    {"name": "f6", "kind": "queue_shrink", "target": {"service": "db"}, "at": "1s", "queue_capacity": 3},
    {"name": "f7", "kind": "error_ratio", "target": {"service": "db"}, "at": "1s", "ratio": "5%", "fail_fast": false},
    {"name": "f8", "kind": "operation_errors", "target": {"service": "db", "operation": "default"}, "at": "1s"},
    {"name": "f9", "kind": "latency", "target": {"client": "web"}, "at": "1s", "delay": "100ms"},
    {"name": "f10", "kind": "packet_loss", "target": {"service": "db", "zone": "a"}, "at": "1s", "ratio": 0.1,
     "retransmit": "1s", "max_retransmits": 5},
    {"name": "f11", "kind": "blackhole", "target": {"service": "db"}, "at": "1s"},
    {"name": "f12", "kind": "partition", "target": {"from_zone": "a", "to_zone": "b"}, "at": "1s"},
    {"name": "f13", "kind": "bandwidth", "target": {"from_zone": "b", "to_zone": "a"}, "at": "1s", "messages_per_second": 50},
    {"name": "f14", "kind": "zone_down", "target": {"zone": "a"}, "at": "1s", "warmup": "3s"},
    {"name": "f15", "kind": "registry_outage", "at": "1s", "duration": "10s"},
    {"name": "f16", "kind": "registry_delay", "at": "1s", "delay": "7s"},
    {"name": "f17", "kind": "flapping_health_check", "target": {"service": "db"}, "at": "1s", "period": "3s"},
    {"name": "f18", "kind": "stale_entries", "target": {"service": "db"}, "at": "1s"},
    {"name": "f19", "kind": "chaos_monkey", "at": "1s", "max_down_per_service": 2, "restart_after": "30s"}
  ])");
  const Scenario scenario = load_changed([&](Json& doc) { doc["faults"] = faults; });
  REQUIRE(scenario.faults.size() == 20);
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    CHECK(static_cast<std::size_t>(scenario.faults[i].kind) == i);
    CHECK(scenario.faults[i].at_ns == 1 * kSecond);
  }
  const auto& f = scenario.faults;
  CHECK(f[0].target.instances == std::vector<std::uint32_t>{1});
  CHECK(f[0].options_as<faults::CrashOptions>().restart_after_ns == 5 * kSecond);
  CHECK(f[1].duration_ns == 5 * kSecond);
  CHECK(f[1].options_as<faults::ShutdownOptions>().period_ns == 2 * kSecond);
  CHECK(f[2].duration_ns == sim::kNever);
  CHECK(f[4].target.fraction == 0.5);
  CHECK(f[4].options_as<faults::SlowdownOptions>().factor == 4.0);
  CHECK(f[5].options_as<faults::WorkerLossOptions>().workers == 0);
  CHECK(f[6].options_as<faults::QueueShrinkOptions>().queue_capacity == 3);
  CHECK(f[7].options_as<faults::ErrorRatioOptions>().ratio == 0.05);
  CHECK_FALSE(f[7].options_as<faults::ErrorRatioOptions>().fail_fast);
  CHECK(f[8].target.operation == 0u);
  CHECK(f[8].options_as<faults::OperationErrorsOptions>().ratio == 1.0);
  CHECK(f[9].target.client == 0u);
  CHECK(as<sim::ConstantDist>(f[9].options_as<faults::LatencyOptions>().delay).value_ns == 100 * kMillisecond);
  CHECK(f[10].target.zone == 0u);
  CHECK(f[10].options_as<faults::PacketLossOptions>().retransmit_ns == 1 * kSecond);
  CHECK(f[10].options_as<faults::PacketLossOptions>().max_retransmits == 5);
  CHECK(f[12].target.from_zone == 0u);
  CHECK(f[12].target.both_directions);
  CHECK(f[13].options_as<faults::BandwidthOptions>().messages_per_s == 50.0);
  CHECK(f[14].target.zone == 0u);
  CHECK(f[14].options_as<faults::ZoneDownOptions>().warmup_ns == 3 * kSecond);
  CHECK(f[16].options_as<faults::RegistryDelayOptions>().delay_ns == 7 * kSecond);
  CHECK(f[17].options_as<faults::FlappingHealthCheckOptions>().period_ns == 3 * kSecond);
  CHECK_FALSE(f[19].target.service.has_value());
  CHECK(f[19].options_as<faults::ChaosMonkeyOptions>().max_down_per_service == 2);
  CHECK(f[19].options_as<faults::ChaosMonkeyOptions>().interval_ns == 60 * kSecond);
}

TEST_CASE("fault keys that do not fit the kind are rejected", "[loader][faults]") {
  struct Case {
    std::string fault;
    std::string pointer;
    std::string message;
  };
  const std::vector<Case> cases{
      {R"({"name": "f", "kind": "crash", "at": "1s"})", "/faults/0", "a crash fault needs target.service"},
      {R"({"name": "f", "kind": "partition", "target": {"from_zone": "a"}, "at": "1s"})", "/faults/0/target/from_zone",
       "a link needs both \"from_zone\" and \"to_zone\""},
      {R"({"name": "f", "kind": "zone_down", "target": {"service": "db"}, "at": "1s"})", "/faults/0/target/service",
       "target key \"service\" does not apply to a zone_down fault"},
      {R"({"name": "f", "kind": "latency", "target": {"service": "db", "client": "web"}, "at": "1s", "delay": "1ms"})",
       "/faults/0/target",
       "a latency fault needs exactly one of target.service, target.client, or target.from_zone with target.to_zone"},
      {R"({"name": "f", "kind": "latency", "target": {"service": "db"}, "at": "1s"})", "/faults/0",
       "missing required key \"delay\" (a latency fault needs one)"},
      {R"({"name": "f", "kind": "registry_delay", "at": "1s", "delay": {"exponential": {"mean": "1s"}}})", "/faults/0/delay",
       "expected a duration like \"5s\" (a registry_delay fault delays by a fixed time)"},
      {R"({"name": "f", "kind": "pause", "target": {"service": "db"}, "at": "1s"})", "/faults/0",
       "missing required key \"duration\" (a pause fault needs one)"},
      {R"({"name": "f", "kind": "operation_errors", "target": {"service": "db"}, "at": "1s"})", "/faults/0/target",
       "an operation_errors fault needs target.operation"},
      {R"({"name": "f", "kind": "hang", "target": {"service": "db", "zone": "b"}, "at": "1s"})", "/faults/0/target/zone",
       "service \"db\" has no instances in zone \"b\""},
      {R"({"name": "f", "kind": "blackhole", "target": {"client": "web", "both_directions": true}, "at": "1s"})",
       "/faults/0/target/both_directions", "\"both_directions\" only applies to a link (from_zone and to_zone)"},
      {R"({"name": "f", "kind": "hang", "target": {"service": "db"}, "at": "1s", "duration": "0s"})", "/faults/0/duration",
       "expected a duration > 0, got \"0s\""},
  };
  for (const Case& c : cases) {
    const Failure failure = input_error_of([&](Json& doc) { doc["faults"] = Json::array({Json::parse(c.fault)}); });
    INFO(c.fault);
    CHECK(failure.error.pointer == c.pointer);
    CHECK(failure.error.message == c.message);
  }
}

TEST_CASE("assertion keys must fit the assertion type", "[loader][assertions]") {
  struct Case {
    std::string assertion;
    std::string pointer;
    std::string message;
  };
  const std::vector<Case> cases{
      {R"({"name": "x", "type": "latency", "max": "1s"})", "/assertions/0",
       "a latency assertion needs a \"client\" or a \"service\" to measure"},
      {R"({"name": "x", "type": "latency", "client": "web", "max": 5})", "/assertions/0/max",
       "expected a duration like \"250ms\" or \"1m30s\", got 5"},
      {R"({"name": "x", "type": "count", "metric": "ok", "min": 10, "max": 5})", "/assertions/0/max", "expected max >= min (10)"},
      {R"({"name": "x", "type": "count", "metric": "ok", "min": 0.5})", "/assertions/0/min", "expected an integer >= 0, got 0.5"},
      {R"({"name": "x", "type": "availability", "client": "web", "service": "api", "min": 0.9})", "/assertions/0/service",
       "give either \"client\" or \"service\", not both"},
      {R"({"name": "x", "type": "breaker", "caller_service": "db", "callee": "api", "fault": "f", "opens_within": "1s"})",
       "/assertions/0/callee", "service \"db\" never calls service \"api\", so it has no breaker for it"},
      {R"({"name": "x", "type": "no_traffic_to_crashed", "fault": "f", "within": "1s"})", "/assertions/0/fault",
       "expected a fault that crashes instances (crash, zone_down or chaos_monkey); \"f\" is a hang"},
      {R"({"name": "x", "type": "recovery", "client": "web", "min": 0.9, "max": "1s"})", "/assertions/0",
       "missing required key \"fault\" (a recovery assertion needs it)"},
      {R"({"name": "x", "type": "availability", "min": 0.9, "during": "g"})", "/assertions/0/during",
       "unknown fault \"g\"; the faults are: f"},
  };
  for (const Case& c : cases) {
    const Failure failure = input_error_of([&](Json& doc) {
      doc["faults"] = Json::parse(R"([{"name": "f", "kind": "hang", "target": {"service": "db"}, "at": "1s", "duration": "1s"}])");
      doc["assertions"] = Json::array({Json::parse(c.assertion)});
    });
    INFO(c.assertion);
    CHECK(failure.error.pointer == c.pointer);
    CHECK(failure.error.message == c.message);
  }
}

TEST_CASE("every malformed scenario in the corpus fails at its known place", "[loader][corpus]") {
  // file -> JSON pointer of the error. Every file in tests/data/bad must be listed here.
  const std::vector<std::pair<std::string, std::string>> corpus{
      {"assertion-key-not-for-type.json", "/assertions/0/percentile"},
      {"availability-min-not-a-ratio.json", "/assertions/0/min"},
      {"backoff-max-below-base.json", "/services/0/calls/0/retry/backoff/max"},
      {"breaker-not-an-object.json", "/clients/0/breaker"},
      {"call-cycle-to-itself.json", "/services/1/calls/0/service"},
      {"call-cycle.json", "/services/1/calls/0/service"},
      {"calls-with-operations.json", "/services/0/calls"},
      {"client-with-both-workloads.json", "/clients/0/closed_loop"},
      {"client-without-workload.json", "/clients/0"},
      {"clients-not-an-array.json", "/clients"},
      {"count-assertion-without-bounds.json", "/assertions/0"},
      {"crash-with-duration.json", "/faults/0/duration"},
      {"distribution-as-number.json", "/services/1/service_time"},
      {"distribution-two-families.json", "/services/1/service_time"},
      {"duplicate-assertion-name.json", "/assertions/1/name"},
      {"duplicate-client-name.json", "/clients/1/name"},
      {"duplicate-fault-name.json", "/faults/1/name"},
      {"duplicate-key.json", "/name"},
      {"duplicate-operation-name.json", "/services/1/operations/1/name"},
      {"duplicate-service-name.json", "/services/1/name"},
      {"duplicate-zone-name.json", "/zones/2"},
      {"duration-as-number.json", "/duration"},
      {"duration-in-words.json", "/duration"},
      {"duration-negative.json", "/duration"},
      {"duration-overflows-int64.json", "/duration"},
      {"duration-unknown-unit.json", "/duration"},
      {"duration-zero.json", "/duration"},
      {"empirical-first-quantile-not-zero.json", "/services/1/service_time/empirical/0/quantile"},
      {"empirical-quantiles-not-increasing.json", "/services/1/service_time/empirical/2/quantile"},
      {"empirical-values-falling.json", "/services/1/service_time/empirical/1/value"},
      {"empty.json", ""},
      {"fault-after-end-of-run.json", "/faults/0/at"},
      {"fault-instances-not-integers.json", "/faults/0/target/instances/0"},
      {"fault-kind-unknown.json", "/faults/0/kind"},
      {"fault-option-not-for-kind.json", "/faults/0/factor"},
      {"fault-target-key-not-for-kind.json", "/faults/0/target/service"},
      {"fault-without-target.json", "/faults/0"},
      {"health-checks-not-a-boolean.json", "/discovery/health_checks"},
      {"infinity-literal.json", "/clients/0/open_loop/rate"},
      {"instance-index-out-of-range.json", "/faults/0/target/instances/1"},
      {"instances-as-string.json", "/services/0/instances"},
      {"instances-huge-number.json", "/services/0/instances"},
      {"instances-negative.json", "/services/0/instances"},
      {"instances-zero.json", "/services/0/instances"},
      {"jitter-unknown.json", "/services/0/calls/0/retry/backoff/jitter"},
      {"limit-simulated-time.json", "/duration"},
      {"limit-too-many-instances.json", "/services/0/instances"},
      {"load-balancer-unknown.json", "/clients/0/load_balancer"},
      {"lognormal-p99-below-median.json", "/services/1/service_time/lognormal/p99"},
      {"missing-duration.json", ""},
      {"missing-service-name.json", "/services/1"},
      {"missing-version.json", ""},
      {"name-empty.json", "/name"},
      {"name-not-a-string.json", "/name"},
      {"nan-literal.json", "/clients/0/open_loop/rate"},
      {"nesting-10000-deep.json", "/description" + [] {
         std::string deep;
         for (int i = 0; i < 63; ++i) deep += "/0";
         return deep;
       }()},
      {"non-utf8-byte.json", "/name"},
      {"number-overflows-double.json", "/clients/0/open_loop/rate"},
      {"open-loop-rate-zero.json", "/clients/0/open_loop/rate"},
      {"parallel-single-call.json", "/services/0/calls/0/parallel"},
      {"partition-within-one-zone.json", "/faults/0/target/to_zone"},
      {"probability-above-one.json", "/services/0/calls/0/probability"},
      {"probability-nan-text.json", "/services/0/calls/0/probability"},
      {"probability-percent-over-100.json", "/services/0/calls/0/probability"},
      {"queue-capacity-too-large.json", "/services/0/queue_capacity"},
      {"ratio-negative.json", "/services/0/calls/0/probability"},
      {"required-not-a-boolean.json", "/services/0/calls/0/required"},
      {"retry-max-attempts-zero.json", "/services/0/calls/0/retry/max_attempts"},
      {"retry-on-unknown-outcome.json", "/services/0/calls/0/retry/retry_on/1"},
      {"schedule-rate-negative.json", "/clients/0/open_loop/schedule/0/rate"},
      {"schedule-unsorted.json", "/clients/0/open_loop/schedule/1/at"},
      {"seed-beyond-2-pow-53.json", "/seed"},
      {"seed-fractional.json", "/seed"},
      {"seed-negative.json", "/seed"},
      {"services-empty.json", "/services"},
      {"syntax-comment.json", ""},
      {"syntax-control-character-in-string.json", "/name"},
      {"syntax-missing-comma.json", ""},
      {"syntax-single-quotes.json", ""},
      {"syntax-trailing-comma.json", "/zones/2"},
      {"syntax-trailing-garbage.json", ""},
      {"syntax-unterminated-string.json", "/name"},
      {"timeout-negative.json", "/services/0/calls/0/timeout"},
      {"top-level-array.json", ""},
      {"top-level-string.json", ""},
      {"truncated.json", "/services/0/calls/0/timeout"},
      {"uniform-min-above-max.json", "/services/1/service_time/uniform/max"},
      {"unknown-client-in-assertion.json", "/assertions/0/client"},
      {"unknown-distribution-family.json", "/services/1/service_time/gamma"},
      {"unknown-fault-in-assertion.json", "/assertions/0/fault"},
      {"unknown-key-in-call.json", "/services/0/calls/0/timout"},
      {"unknown-key-in-client.json", "/clients/0/rate"},
      {"unknown-key-in-retry.json", "/services/0/calls/0/retry/attempts"},
      {"unknown-key-in-service.json", "/services/0/wokers"},
      {"unknown-operation-in-call.json", "/services/0/calls/0/operation"},
      {"unknown-service-in-call.json", "/services/0/calls/0/service"},
      {"unknown-service-in-client.json", "/clients/0/service"},
      {"unknown-service-in-fault.json", "/faults/0/target/service"},
      {"unknown-top-level-key.json", "/servces"},
      {"unknown-zone-in-client.json", "/clients/0/zone"},
      {"unknown-zone-in-placement.json", "/services/1/instances/1/zone"},
      {"version-2.json", "/version"},
      {"version-as-string.json", "/version"},
      {"whitespace-only.json", ""},
      {"workers-fractional.json", "/services/0/workers"},
      {"workers-zero.json", "/services/0/workers"},
      {"zone-name-with-space.json", "/zones/1"},
      {"zones-empty.json", "/zones"},
      {"zones-not-an-array.json", "/zones"},
  };
  const std::filesystem::path folder = kSourceDir / "tests" / "data" / "bad";
  std::set<std::string> listed;
  for (const auto& [file, pointer] : corpus) listed.insert(file);
  std::set<std::string> present;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) present.insert(entry.path().filename().string());
  CHECK(listed == present);
  CHECK(present.size() >= 50);

  for (const auto& [file, pointer] : corpus) {
    INFO(file);
    const std::string path = (folder / file).string();
    bool threw = false;
    try {
      load_scenario_file(path);
    } catch (const LimitError& error) {
      threw = true;
      CHECK(error.file == path);
      CHECK(error.where.line > 0);
      CHECK(error.pointer == pointer);
      CHECK_FALSE(error.flag.empty());
    } catch (const InputError& error) {
      threw = true;
      INFO(error.what());
      CHECK(error.file == path);
      CHECK(error.where.line > 0);
      CHECK(error.where.column > 0);
      CHECK(error.pointer == pointer);
      CHECK_FALSE(error.message.empty());
    }
    CHECK(threw);
  }
}

TEST_CASE("a file over the 4 MiB limit is refused before it is parsed", "[loader][corpus]") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "faultline-test-loader-oversized.json";
  {
    std::ofstream out(path, std::ios::binary);
    std::string scenario = text_of(minimal());
    scenario.insert(scenario.find("\"name\""), "\"description\": \"" + std::string(4 * 1024 * 1024, 'x') + "\",\n");
    out << scenario;
  }
  CHECK_THROWS_MATCHES(load_scenario_file(path.string()), InputError,
                       Catch::Matchers::Predicate<InputError>(
                           [](const InputError& e) { return e.message.find("4 MiB") != std::string::npos; },
                           "names the 4 MiB limit"));
  std::filesystem::remove(path);
}

TEST_CASE("the schema is draft 7, closed on every object, and describes every property", "[loader][schema]") {
  const Json schema = Json::parse(scenario_schema_text());
  CHECK(schema["$schema"] == "http://json-schema.org/draft-07/schema#");
  std::vector<std::string> problems;
  const std::function<void(const Json&, const std::string&)> walk = [&](const Json& node, const std::string& where) {
    if (node.is_object()) {
      if (node.value("type", Json()) == "object" && node.value("additionalProperties", true) != false) {
        problems.push_back(where + ": an object schema without \"additionalProperties\": false");
      }
      if (node.contains("properties")) {
        for (const auto& [key, property] : node["properties"].items()) {
          if (!property.contains("description")) problems.push_back(where + "/properties/" + key + ": no description");
        }
      }
      for (const auto& [key, value] : node.items()) walk(value, where + "/" + key);
    } else if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i) walk(node[i], where + "/" + std::to_string(i));
    }
  };
  walk(schema, "");
  CHECK(problems == std::vector<std::string>{});
  // The file in the repository is the schema the binary carries.
  std::ifstream in(kSourceDir / "scenarios" / "faultline.schema.json");
  CHECK(Json::parse(in) == schema);
}
