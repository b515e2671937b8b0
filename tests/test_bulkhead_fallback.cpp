// Issue 12 §3 through the real program: bulkheads against the Erlang loss and delay formulas
// (a bulkhead that refuses at once is an M/G/c/c loss system; one that lets attempts wait is an
// M/M/c queue) and an exact deterministic pattern, and fallbacks with the degraded outcome.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "model_run.hpp"

using faultline::test::call_site;
using faultline::test::entity;
using faultline::test::run_faultline;
using faultline::test::run_scenario;
using faultline::test::ScratchDir;
using nlohmann::json;

namespace {

// Erlang B: the share of arrivals a loss system of c servers under a Erlangs turns away.
double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

// Erlang C: the share of arrivals that wait in an M/M/c queue under a < c Erlangs.
double erlang_c(int c, double a) {
  const double b = erlang_b(c, a);
  return c * b / (c - a * (1 - b));
}

// Users (Poisson, `rate`/s) call a service with workers to spare and no network latency, whose
// requests take Exp(100ms), through a bulkhead: the bulkhead is the only place anything waits.
json bulkhead_scenario(double rate, int max_concurrent, const std::string& max_wait) {
  json scenario = json::parse(R"({
    "version": 1, "name": "bulkhead", "seed": 3, "duration": "120s", "zones": ["z"],
    "services": [{"name": "api", "instances": 2, "workers": 1000, "service_time": {"exponential": {"mean": "100ms"}}}],
    "clients": [{"name": "users", "zone": "z", "service": "api"}]
  })");
  scenario["clients"][0]["open_loop"] = {{"rate", rate}};
  scenario["clients"][0]["bulkhead"] = {{"max_concurrent", max_concurrent}, {"max_wait", max_wait}};
  return scenario;
}

}  // namespace

TEST_CASE("a bulkhead that refuses at once turns away Erlang B(c, a) of the calls", "[model][bulkhead]") {
  ScratchDir dir("bulkhead-loss");
  // 100/s x 100ms = 10 Erlangs offered to 10 permits: B(10, 10) = 21.5%.
  const json report = run_scenario(bulkhead_scenario(100, 10, "0s"), dir);
  const json& calls = call_site(report, "users", "api");
  const double attempts = calls["attempts"].get<double>();
  CHECK(attempts == Approx(12000).epsilon(0.05));
  CHECK(calls["bulkhead_full"].get<double>() / attempts == Approx(erlang_b(10, 10.0)).epsilon(0.06));
  CHECK(calls["sent"].get<double>() + calls["bulkhead_full"].get<double>() == attempts);
  CHECK_FALSE(calls.contains("bulkhead_waited"));  // no wait configured
  // Refused calls never reach the service; the client counts them as rejected.
  CHECK(entity(report, "services", "api")["totals"]["requests"] == calls["sent"]);
  CHECK(entity(report, "clients", "users")["totals"]["rejected"] == calls["bulkhead_full"]);
}

TEST_CASE("a bulkhead whose calls may wait is an M/M/c queue: Erlang C of them wait, C/(c mu - lambda) on average",
          "[model][bulkhead]") {
  ScratchDir dir("bulkhead-wait");
  // 80/s x 100ms = 8 Erlangs on 10 permits; an hour's wait never runs out.
  const json report = run_scenario(bulkhead_scenario(80, 10, "1h"), dir);
  const json& calls = call_site(report, "users", "api");
  const double attempts = calls["attempts"].get<double>();
  const double waited = erlang_c(10, 8.0);  // 40.9%
  CHECK(calls["bulkhead_waited"].get<double>() / attempts == Approx(waited).epsilon(0.08));
  CHECK(calls["bulkhead_full"] == 0);
  // Mean latency = service time + mean wait = 100ms + C / (10 x 10/s - 80/s).
  const double mean_ms = entity(report, "clients", "users")["latency"]["mean_ms"].get<double>();
  CHECK(mean_ms == Approx(100.0 + 1000.0 * waited / (100.0 - 80.0)).epsilon(0.04));
}

TEST_CASE("a bulkhead of 2 with calls every 100ms taking 250ms refuses exactly every third", "[model][bulkhead]") {
  ScratchDir dir("bulkhead-exact");
  json scenario = json::parse(R"({
    "version": 1, "name": "bulkhead-exact", "seed": 1, "duration": "30s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 10, "service_time": "250ms"}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 10, "arrivals": "constant"},
                 "bulkhead": {"max_concurrent": 2}}]
  })");
  // Calls at 100ms, 200ms, ...: two in flight when the third comes, one of them gone by the fourth.
  const json refused = run_scenario(scenario, dir);
  const json& calls = call_site(refused, "users", "api");
  CHECK(calls["attempts"] == 299);
  CHECK(calls["bulkhead_full"] == 99);
  // Waiting up to 120ms, a call may take the permit of one that ends meanwhile: fewer are refused
  // (2 permits of 250ms serve 8/s of the 10/s offered, so some still are), and no served call
  // waited longer than 120ms.
  scenario["clients"][0]["bulkhead"]["max_wait"] = "120ms";
  const json waiting = run_scenario(scenario, dir);
  const json& patient = call_site(waiting, "users", "api");
  CHECK(patient["bulkhead_full"].get<int>() < 99);
  CHECK(patient["bulkhead_full"].get<int>() >= 40);  // about 2 of every 10 offered, beyond the 8/s served
  CHECK(patient["bulkhead_waited"].get<int>() > 100);
  const double slowest = entity(waiting, "clients", "users")["latency"]["max_ms"].get<double>();
  CHECK(slowest > 250.0);
  CHECK(slowest <= 370.0 + 0.01);
}

TEST_CASE("a caller's calls to one service share its bulkhead, so they must agree on it", "[model][bulkhead][loader]") {
  ScratchDir dir("bulkhead-shared");
  const json scenario = json::parse(R"({
    "version": 1, "name": "bulkhead-shared", "duration": "1s", "zones": ["z"],
    "services": [{"name": "web", "instances": 1, "operations": [
                   {"name": "a", "calls": [{"service": "db", "bulkhead": {"max_concurrent": 5}}]},
                   {"name": "b", "calls": [{"service": "db", "bulkhead": {"max_concurrent": 6}}]}]},
                 {"name": "db", "instances": 1}],
    "clients": [{"name": "users", "zone": "z", "service": "web", "operation": "a", "open_loop": {"rate": 1}}]
  })");
  {
    std::ofstream out(dir / "scenario.json");
    out << scenario.dump(2);
  }
  const auto result = run_faultline("validate " + dir / "scenario.json", dir);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("/services/0/operations/1/calls/0/bulkhead") &&
                             Catch::Contains("share one bulkhead"));
}

namespace {

// Users call a frontend, which calls a backend that answers an error to a share `ratio` of its
// requests; the frontend's call has a fallback taking 5ms.
json fallback_scenario(double ratio, const json& fallback) {
  json scenario = json::parse(R"({
    "version": 1, "name": "fallback", "seed": 4, "duration": "60s", "zones": ["z"],
    "services": [{"name": "frontend", "instances": 2, "workers": 100, "calls": [{"service": "backend", "timeout": "1s"}]},
                 {"name": "backend", "instances": 2, "workers": 100, "service_time": "1ms"}],
    "clients": [{"name": "users", "zone": "z", "service": "frontend", "open_loop": {"rate": 200}}],
    "faults": [{"name": "errors", "kind": "error_ratio", "target": {"service": "backend"}, "at": "0s", "duration": "60s"}],
    "assertions": [
      {"name": "available, degraded or not", "type": "availability", "client": "users", "min": "99.9%"},
      {"name": "available in full", "type": "availability", "client": "users", "min": "99.9%", "degraded": "failed"}
    ]
  })");
  scenario["faults"][0]["ratio"] = ratio;
  scenario["services"][0]["calls"][0]["fallback"] = fallback;
  return scenario;
}

}  // namespace

TEST_CASE("a fallback turns failed calls into degraded successes, counted in ok and in degraded", "[model][fallback]") {
  ScratchDir dir("fallback");
  // Errors come at once (before the service time), so a failed call's fallback answers 5ms later.
  const json report = run_scenario(fallback_scenario(0.3, {{"latency", "5ms"}}), dir, 1);
  const json& users = entity(report, "clients", "users");
  const double requests = users["totals"]["requests"].get<double>();
  CHECK(users["totals"]["ok"].get<double>() == requests);
  CHECK(users["totals"]["errors"] == 0);
  CHECK(users["availability"] == 1.0);
  // The degraded share is the backend's error ratio.
  CHECK(users["totals"]["degraded"].get<double>() / requests == Approx(0.3).epsilon(0.05));
  CHECK(users["availability_without_degraded"].get<double>() == Approx(0.7).epsilon(0.03));
  // On the arrows: the frontend's own fallback, and the degraded answers the users received.
  const json& backend = call_site(report, "frontend", "backend");
  CHECK(backend["fallbacks"] == users["totals"]["degraded"]);
  CHECK(backend["failed"]["error"] == backend["fallbacks"]);
  CHECK(call_site(report, "users", "frontend")["degraded"] == users["totals"]["degraded"]);
  CHECK(entity(report, "services", "frontend")["totals"]["degraded"] == users["totals"]["degraded"]);
  // A degraded request takes the fallback's 5ms; the others ~1ms.
  CHECK(users["latency"]["max_ms"].get<double>() == Approx(5.0).margin(0.01));
  // The assertion counts degraded requests as ok by default, as failed when told, and says so.
  const json& assertions = report["assertions"];
  CHECK(assertions[0]["passed"] == true);
  CHECK_THAT(assertions[0]["expected"].get<std::string>(), Catch::Contains("(degraded counted as ok)"));
  CHECK(assertions[1]["passed"] == false);
  CHECK_THAT(assertions[1]["expected"].get<std::string>(), Catch::Contains("(degraded counted as failed)"));
}

TEST_CASE("a fallback covers only the outcomes it lists", "[model][fallback]") {
  ScratchDir dir("fallback-on");
  const json report = run_scenario(fallback_scenario(0.3, {{"on", {"timeout"}}}), dir, 1);
  const json& users = entity(report, "clients", "users");
  CHECK(users["totals"]["degraded"] == 0);
  CHECK(users["totals"]["errors"].get<double>() / users["totals"]["requests"].get<double>() == Approx(0.3).epsilon(0.05));
  CHECK(call_site(report, "frontend", "backend")["fallbacks"] == 0);
}

TEST_CASE("without fallbacks a report has no degraded figures", "[model][fallback]") {
  ScratchDir dir("fallback-none");
  json scenario = fallback_scenario(0.3, json::object());
  scenario["services"][0]["calls"][0].erase("fallback");
  scenario["assertions"][1].erase("degraded");
  const json report = run_scenario(scenario, dir, 1);
  CHECK_FALSE(entity(report, "clients", "users")["totals"].contains("degraded"));
  CHECK_FALSE(entity(report, "clients", "users").contains("availability_without_degraded"));
  CHECK_FALSE(call_site(report, "frontend", "backend").contains("fallbacks"));
  CHECK_THAT(report["assertions"][0]["expected"].get<std::string>(), !Catch::Contains("degraded"));
}
