// Issue 12 §3, load shedding at the server, through the real program: a queue timeout bounds the
// wait of every served request, adaptive LIFO serves the newest, and the AIMD concurrency limit
// follows Netflix's AIMDLimit rule (settling at twice the requests in flight, backing off to its
// minimum when every request is slow, refusing what exceeds it).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "model_run.hpp"

using faultline::test::call_site;
using faultline::test::entity;
using faultline::test::run_scenario;
using faultline::test::ScratchDir;
using nlohmann::json;

namespace {

// One instance of one worker taking 100ms a request, offered one request every 50ms: twice what
// it can serve, for 20s. The users wait 10s, so nothing gives up early.
json overloaded(const json& service_keys) {
  json scenario = json::parse(R"({
    "version": 1, "name": "overloaded", "seed": 1, "duration": "20s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 1, "service_time": "100ms"}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 20, "arrivals": "constant"},
                 "timeout": "10s"}]
  })");
  for (const auto& [key, value] : service_keys.items()) scenario["services"][0][key] = value;
  return scenario;
}

double max_ms(const json& report) { return entity(report, "clients", "users")["latency"]["max_ms"].get<double>(); }

}  // namespace

TEST_CASE("a queue timeout bounds every served request's wait, and refuses the rest at once", "[model][shedding]") {
  ScratchDir dir("queue-timeout");
  const json fifo = run_scenario(overloaded(json::object()), dir);
  CHECK(max_ms(fifo) > 5000.0);  // the queue only grows: the later requests wait for seconds
  CHECK_FALSE(entity(fifo, "services", "api").contains("shed"));

  const json shedding = run_scenario(overloaded({{"queue_timeout", "250ms"}}), dir);
  // Served: at most 250ms of wait, then 100ms of service.
  CHECK(max_ms(shedding) <= 350.0 + 0.01);
  CHECK(max_ms(shedding) >= 300.0);
  // The worker serves one request per 100ms (~200 in 20s); about as many are refused.
  const json& api = entity(shedding, "services", "api");
  const auto served = entity(shedding, "clients", "users")["totals"]["ok"].get<int>();
  CHECK(served >= 197);
  CHECK(served <= 200);
  CHECK(api["shed"]["queue_timeout"].get<int>() >= 190);
  CHECK(api["shed"]["concurrency_limit"] == 0);
  CHECK(call_site(shedding, "users", "api")["shed"] == api["shed"]["queue_timeout"]);
}

TEST_CASE("adaptive LIFO serves the newest request: none of them waited more than one arrival gap", "[model][shedding]") {
  ScratchDir dir("lifo");
  const json lifo = run_scenario(overloaded({{"lifo_above", 0}}), dir);
  // Whenever the worker frees, the newest request arrived at most 50ms ago: 150ms at most.
  CHECK(max_ms(lifo) <= 150.0 + 0.01);
  const json& users = entity(lifo, "clients", "users");
  CHECK(users["totals"]["ok"].get<int>() >= 190);
  CHECK(users["totals"]["timeouts"].get<int>() > 0);  // the oldest wait at the back until their callers give up
  // Above a threshold only: while 10 or fewer wait, first in, first out, so some served requests
  // waited behind others; the rest of the queue still waits at the back.
  const json adaptive = run_scenario(overloaded({{"lifo_above", 10}}), dir);
  CHECK(max_ms(adaptive) > 150.0);
  CHECK(max_ms(adaptive) <= 1200.0);
}

namespace {

// Requests of a constant `service_ms` arriving evenly at `rate`/s to one instance with workers to
// spare, behind an AIMD limit.
json limited(double rate, const std::string& service_time, const json& limit) {
  json scenario = json::parse(R"({
    "version": 1, "name": "aimd", "seed": 1, "duration": "20s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 1000}],
    "clients": [{"name": "users", "zone": "z", "service": "api"}]
  })");
  scenario["services"][0]["service_time"] = service_time;
  scenario["services"][0]["adaptive_concurrency"] = limit;
  scenario["clients"][0]["open_loop"] = {{"rate", rate}, {"arrivals", "constant"}};
  return scenario;
}

}  // namespace

TEST_CASE("the AIMD limit grows while half of it is in flight: it settles at twice the load, 2 x rate x latency",
          "[model][shedding][aimd]") {
  ScratchDir dir("aimd-grow");
  // 2000/s x 10ms = 20 in flight (21 as one arrives while another leaves): the limit climbs from
  // 20 while 2 x in-flight >= limit, so to 40-42, and never refuses anything.
  const json report = run_scenario(limited(2000, "10ms", {{"initial_limit", 20}, {"max_limit", 1000}}), dir);
  const json& api = entity(report, "services", "api");
  CHECK(api["concurrency_limit"]["highest"].get<int>() >= 40);
  CHECK(api["concurrency_limit"]["highest"].get<int>() <= 42);
  CHECK(api["concurrency_limit"]["lowest"] == 20);
  CHECK(api["shed"]["concurrency_limit"] == 0);
}

TEST_CASE("the AIMD limit backs off to its minimum when every request is slower than its timeout", "[model][shedding][aimd]") {
  ScratchDir dir("aimd-backoff");
  const json report = run_scenario(
      limited(100, "100ms", {{"initial_limit", 20}, {"min_limit", 5}, {"max_limit", 50}, {"timeout", "50ms"}}), dir);
  const json& api = entity(report, "services", "api");
  CHECK(api["concurrency_limit"]["lowest"] == 5);
  CHECK(api["concurrency_limit"]["highest"] == 20);
  // At 5, with 10 offered in flight (100/s x 100ms), half the requests are refused at once.
  const double requests = api["totals"]["requests"].get<double>();
  CHECK(api["shed"]["concurrency_limit"].get<double>() / requests == Approx(0.5).epsilon(0.03));
}

TEST_CASE("a fixed limit (min = max) refuses exactly what exceeds it: 200/s of 100ms requests under 10 admits 100/s",
          "[model][shedding][aimd]") {
  ScratchDir dir("aimd-fixed");
  const json report = run_scenario(
      limited(200, "100ms", {{"initial_limit", 10}, {"min_limit", 10}, {"max_limit", 10}}), dir);
  const json& api = entity(report, "services", "api");
  const auto requests = api["totals"]["requests"].get<int>();
  const auto refused = api["shed"]["concurrency_limit"].get<int>();
  // Requests every 5ms; each admitted one holds its place for 100ms: 10 of every 20 get in.
  CHECK(std::abs(2 * refused - requests) <= 20);
  CHECK(entity(report, "clients", "users")["totals"]["rejected"] == refused);
}
