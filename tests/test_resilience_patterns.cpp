// Issue 12 §3 through the real program: hedged requests against the minimum of exponentials,
// token buckets against min(rate, offered) within the burst, 429s with Retry-After, and what a
// breaker counts as a failure.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "model_run.hpp"
#include "sim/runtime.hpp"

using faultline::test::call_site;
using faultline::test::entity;
using faultline::test::run_scenario;
using faultline::test::ScratchDir;
using nlohmann::json;

namespace {

// Users call a service whose requests take Exp(100ms), with workers to spare (no queueing) and
// no network latency, so a request's latency is its service time.
json exponential_service(const json& hedging) {
  json scenario = json::parse(R"({
    "version": 1, "name": "hedging", "seed": 5, "duration": "60s", "zones": ["z"],
    "services": [{"name": "api", "instances": 4, "workers": 1000, "honour_cancellation": true,
                  "service_time": {"exponential": {"mean": "100ms"}}}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 200}}]
  })");
  if (!hedging.is_null()) scenario["clients"][0]["hedging"] = hedging;
  return scenario;
}

double p99_ms(const json& report) { return entity(report, "clients", "users")["latency"]["p99_ms"].get<double>(); }
double mean_ms(const json& report) { return entity(report, "clients", "users")["latency"]["mean_ms"].get<double>(); }

}  // namespace

TEST_CASE("hedging two attempts at once: latency is the minimum of two exponentials, Exp(2/mean)", "[model][hedging]") {
  ScratchDir dir("hedging-now");
  const double mean = 100.0;
  const json plain = run_scenario(exponential_service(nullptr), dir);
  // Unhedged: p99 = mean * ln(100); ~12,000 samples put the estimate within a few percent.
  CHECK(p99_ms(plain) == Approx(mean * std::log(100.0)).epsilon(0.06));
  CHECK(mean_ms(plain) == Approx(mean).epsilon(0.03));

  const json hedged = run_scenario(exponential_service({{"max_attempts", 2}, {"delay", "0s"}}), dir);
  // The minimum of two independent Exp(rate) is Exp(2 rate): p99 and mean halve.
  CHECK(p99_ms(hedged) == Approx(mean / 2 * std::log(100.0)).epsilon(0.06));
  CHECK(mean_ms(hedged) == Approx(mean / 2).epsilon(0.03));
  const json& calls = call_site(hedged, "users", "api");
  const auto requests = entity(hedged, "clients", "users")["totals"]["requests"].get<std::int64_t>();
  // Every call sent a second attempt at once, and the loser of each finished call was cancelled.
  CHECK(calls["hedged"].get<std::int64_t>() >= requests);
  CHECK(calls["cancelled"].get<std::int64_t>() == requests);
  CHECK(calls["attempts"] == calls["hedged"].get<std::int64_t>() * 2);
}

TEST_CASE("hedging after a delay d: P(T > t) = exp(-(2t - d)/mean) beyond d", "[model][hedging]") {
  ScratchDir dir("hedging-delay");
  const double mean = 100.0;
  const double delay = 50.0;
  const json hedged = run_scenario(exponential_service({{"max_attempts", 2}, {"delay", "50ms"}}), dir);
  // p99 solves exp(-(2t - d)/mean) = 0.01: t = (mean ln 100 + d) / 2.
  CHECK(p99_ms(hedged) == Approx((mean * std::log(100.0) + delay) / 2).epsilon(0.06));
  // E[T] = mean (1 - e^(-d/mean)) + mean/2 e^(-d/mean).
  const double expected_mean = mean * (1 - std::exp(-delay / mean)) + mean / 2 * std::exp(-delay / mean);
  CHECK(mean_ms(hedged) == Approx(expected_mean).epsilon(0.03));
  // Only calls slower than d sent a second attempt: a share e^(-d/mean) of them.
  const json& calls = call_site(hedged, "users", "api");
  const double requests = entity(hedged, "clients", "users")["totals"]["requests"].get<double>();
  CHECK(calls["hedged"].get<double>() / requests == Approx(std::exp(-delay / mean)).epsilon(0.05));
}

namespace {

json limited_client(const std::string& arrivals, double rate, double limit, int burst) {
  json scenario = json::parse(R"({
    "version": 1, "name": "token-bucket", "seed": 2, "duration": "20s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 1000}],
    "clients": [{"name": "users", "zone": "z", "service": "api"}]
  })");
  scenario["clients"][0]["open_loop"] = {{"rate", rate}, {"arrivals", arrivals}};
  scenario["clients"][0]["rate_limit"] = {{"rate", limit}, {"burst", burst}};
  return scenario;
}

}  // namespace

TEST_CASE("a client token bucket admits min(rate, offered) plus the burst, as x/time/rate's Allow", "[model][rate_limit]") {
  ScratchDir dir("token-bucket");
  // Offered 200/s evenly for 20s against 50/s with a burst of 10: the full bucket's 10, then
  // one every 20ms: 10 + 50 x (19.995s - 0.005s) = 1009 requests go out.
  const json over = run_scenario(limited_client("constant", 200, 50, 10), dir);
  const json& calls = call_site(over, "users", "api");
  CHECK(calls["sent"] == 1009);
  CHECK(calls["throttled"] == calls["attempts"].get<int>() - 1009);
  CHECK(entity(over, "services", "api")["totals"]["requests"] == 1009);

  // Offered 30/s (Poisson) under 50/s with a burst of 10: nearly everything goes out.
  const json under = run_scenario(limited_client("poisson", 30, 50, 10), dir);
  const json& light = call_site(under, "users", "api");
  CHECK(light["sent"].get<double>() / light["attempts"].get<double>() > 0.995);
  CHECK(light["attempts"].get<double>() == Approx(600).epsilon(0.1));
}

// x/time/rate's reservations (Limiter.reserveN, Reservation.CancelAt): rate 50/s (a token every
// 20ms), burst 2, everything at t = 0.
TEST_CASE("a waiting token bucket reserves as x/time/rate: the k-th of a burst waits max(0, k - burst)/rate", "[model][rate_limit]") {
  namespace sim = faultline::sim;
  sim::RateLimit limit;
  limit.enabled = true;
  limit.rate_per_s = 50;
  limit.burst = 2;
  limit.wait = true;
  const sim::TimeNs token = 20 * sim::kMillisecond;
  sim::TokenBucket bucket;
  for (int k = 1; k <= 5; ++k) CHECK(bucket.reserve(limit, 0, sim::kNever) == std::max(0, k - 2) * token);
  // The 6th would wait 80ms: with 79ms to its deadline Wait fails at once and reserves nothing;
  // with exactly 80ms it is granted (waitDuration <= the context's remaining time).
  CHECK(bucket.reserve(limit, 0, 80 * sim::kMillisecond - 1) == -1);
  CHECK(bucket.reserve(limit, 0, 80 * sim::kMillisecond) == 4 * token);
  // Cancelling the latest reservation gives its token back: the next waits 80ms again.
  bucket.cancel(limit, 0, 4 * token);
  CHECK(bucket.reserve(limit, 0, sim::kNever) == 4 * token);
  // Cancelling one with a later reservation behind it gives nothing back (that token is spoken for).
  bucket.cancel(limit, 0, 2 * token);
  CHECK(bucket.reserve(limit, 0, sim::kNever) == 5 * token);
  // Time pays the debt off: 200ms later the 6 reservations are served and the bucket refills.
  CHECK(bucket.reserve(limit, 6 * token + 2 * token, sim::kNever) == 0);
}

namespace {

// Two clients offering 200/s evenly in the first second (an arrival every 5ms from 5ms), each to
// its own service, each through its own waiting token bucket of 50/s and burst 10: `patient`
// with a 10s timeout, `hurried` with 502ms (no arrival can then be due exactly at its deadline).
json waiting_clients() {
  json scenario = json::parse(R"({
    "version": 1, "name": "token-bucket-wait", "seed": 3, "duration": "6s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 1000, "service_time": "1ms"},
                 {"name": "api2", "instances": 1, "workers": 1000, "service_time": "1ms"}],
    "clients": [{"name": "patient", "zone": "z", "service": "api", "timeout": "10s"},
                {"name": "hurried", "zone": "z", "service": "api2", "timeout": "502ms"}]
  })");
  for (json& client : scenario["clients"]) {
    client["open_loop"] = {{"rate", 200}, {"arrivals", "constant"}};
    client["stop"] = "1s";
    client["rate_limit"] = {{"rate", 50}, {"burst", 10}, {"wait", true}};
  }
  return scenario;
}

}  // namespace

TEST_CASE("a waiting token bucket sends at exactly its rate, and refuses at once what would wait past the deadline", "[model][rate_limit]") {
  ScratchDir dir("token-bucket-wait");
  const json report = run_scenario(waiting_clients(), dir);
  // Arrival k (1..n) at 5k ms reserves its token for max(5k, 5 + 20(k - 10)) ms.
  const json& patient = call_site(report, "patient", "api");
  const int n = patient["attempts"].get<int>();
  REQUIRE(n >= 190);
  CHECK(patient["sent"] == n);  // nobody gives up
  CHECK(patient["throttled"] == 0);
  CHECK(patient["rate_waited"] == n - 13);  // 5 + 20(k - 10) > 5k from k = 14 on
  // The last one waited 15n - 195 ms, then 1ms of service.
  CHECK(entity(report, "clients", "patient")["latency"]["max_ms"].get<double>() == Approx(15.0 * n - 195 + 1).margin(0.02));
  // While in debt the bucket lets one through every 20ms: 50 in each whole second.
  const json& series = report["timeseries"]["services"][0];
  CHECK(series["requests"][1] == 50);
  CHECK(series["requests"][2] == 50);

  // With 502ms to wait at most, the j-th sent leaves at 5 + 20(j - 10) ms <= 5n + 502 ms: so
  // 10 + floor((5n - 5 + 502) / 20) go out; the rest are refused at once, never sent.
  const json& hurried = call_site(report, "hurried", "api2");
  const int sent = 10 + (5 * n - 5 + 502) / 20;
  CHECK(hurried["attempts"] == n);
  CHECK(hurried["sent"] == sent);
  CHECK(hurried["throttled"] == n - sent);
  CHECK(hurried["failed"]["timeout"] == 0);
  CHECK(entity(report, "clients", "hurried")["latency"]["max_ms"].get<double>() <= 503.0);
}

namespace {

// 99 requests in the first second (every 10ms from 10ms), against an instance limited to 50/s (burst 1)
// that answers 429 with Retry-After 2s; one retry on rate_limited.
json retry_after_scenario(bool honour) {
  json scenario = json::parse(R"({
    "version": 1, "name": "retry-after", "seed": 1, "duration": "10s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 100,
                  "rate_limit": {"rate": 50, "burst": 1, "retry_after": "2s"}}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"},
                 "stop": "1s", "retry": {"max_attempts": 2, "retry_on": ["rate_limited"]}}]
  })");
  scenario["clients"][0]["retry"]["honour_retry_after"] = honour;
  return scenario;
}

}  // namespace

TEST_CASE("a 429 with Retry-After: honoured, every refused request succeeds when retried", "[model][rate_limit]") {
  ScratchDir dir("retry-after");
  // Every other request finds the bucket empty. Retried at once, it finds it empty again.
  const json eager = run_scenario(retry_after_scenario(false), dir);
  CHECK(entity(eager, "clients", "users")["totals"]["ok"] == 50);
  CHECK(entity(eager, "services", "api")["rate_limited"] == 98);
  CHECK(call_site(eager, "users", "api")["rate_limited"] == 98);
  // Retried 2s later, the refused 49 arrive 20ms apart: exactly the limit, all admitted.
  const json patient = run_scenario(retry_after_scenario(true), dir);
  CHECK(entity(patient, "clients", "users")["totals"]["ok"] == 99);
  CHECK(entity(patient, "services", "api")["rate_limited"] == 49);
  CHECK(entity(patient, "clients", "users")["latency"]["max_ms"].get<double>() >= 2000.0);
}

TEST_CASE("what a breaker counts as a failure: 429s trip it by default, not when left out", "[model][breaker]") {
  ScratchDir dir("breaker-failures");
  json scenario = json::parse(R"({
    "version": 1, "name": "is-successful", "seed": 1, "duration": "10s", "zones": ["z"],
    "services": [{"name": "api", "instances": 1, "workers": 100, "rate_limit": {"rate": 10, "burst": 1}}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"},
                 "breaker": {"trip": {"consecutive_failures": 5}}}]
  })");
  const json counted = run_scenario(scenario, dir);
  CHECK(call_site(counted, "users", "api")["breaker_opens"].get<int>() >= 1);
  scenario["clients"][0]["breaker"]["failures"] = {"error", "timeout"};
  const json ignored = run_scenario(scenario, dir);
  CHECK(call_site(ignored, "users", "api")["breaker_opens"] == 0);
  CHECK(call_site(ignored, "users", "api")["rate_limited"].get<int>() > 800);
}

namespace {

// 99 requests in the first second (every 10ms from 10ms), round robin over two instances of
// which the first crashed at 0s and is still listed (no discovery: a static list). Requests take
// no time and the network none, so each refused connection comes back at once.
json refused_scenario(const json& retry_on) {
  json scenario = json::parse(R"({
    "version": 1, "name": "connection-refused", "seed": 1, "duration": "3s", "zones": ["z"],
    "services": [{"name": "api", "instances": 2, "workers": 100}],
    "clients": [{"name": "users", "zone": "z", "service": "api", "open_loop": {"rate": 100, "arrivals": "constant"},
                 "stop": "1s", "retry": {"max_attempts": 2}}],
    "faults": [{"name": "api-0-crash", "kind": "crash", "target": {"service": "api", "instances": [0]}, "at": "0s"}]
  })");
  scenario["clients"][0]["retry"]["retry_on"] = retry_on;
  return scenario;
}

}  // namespace

TEST_CASE("retry on connection_refused: a refused connection is retried, an error answer is not", "[model][retry]") {
  ScratchDir dir("connection-refused");
  // Named: the round robin sends every first attempt to the dead instance (each retry moves
  // it on to the live one), so all 99 are refused once and succeed on their retry.
  const json named = run_scenario(refused_scenario({"connection_refused"}), dir);
  const json& calls = call_site(named, "users", "api");
  CHECK(entity(named, "clients", "users")["totals"]["ok"] == 99);
  CHECK(calls["retries"] == 99);
  CHECK(calls["failed"]["error"] == 99);
  CHECK(calls["failed"]["connection_refused"] == 99);
  CHECK(calls["attempts"] == 198);
  // "error" covers refused connections too (as Envoy's retry_on 5xx covers connect-failure).
  const json as_error = run_scenario(refused_scenario({"error"}), dir);
  CHECK(entity(as_error, "clients", "users")["totals"]["ok"] == 99);
  CHECK(call_site(as_error, "users", "api")["retries"] == 99);
  CHECK_FALSE(call_site(as_error, "users", "api")["failed"].contains("connection_refused"));
  // Not named: nothing is retried; the round robin alternates, and the 50 odd ones are refused.
  const json unnamed = run_scenario(refused_scenario({"timeout"}), dir);
  CHECK(entity(unnamed, "clients", "users")["totals"]["ok"] == 49);
  CHECK(entity(unnamed, "clients", "users")["totals"]["errors"] == 50);
  CHECK(call_site(unnamed, "users", "api")["retries"] == 0);

  // An error answer (5xx) from a live instance is not a refused connection: not retried when
  // only connection_refused is named, retried when error is.
  json answered = refused_scenario({"connection_refused"});
  answered["faults"] = json::parse(R"([{"name": "api-errors", "kind": "error_ratio", "target": {"service": "api"},
                                         "at": "0s", "duration": "10s", "ratio": 1}])");
  const json errors = run_scenario(answered, dir);
  CHECK(entity(errors, "clients", "users")["totals"]["errors"] == 99);
  CHECK(call_site(errors, "users", "api")["retries"] == 0);
  CHECK(call_site(errors, "users", "api")["failed"]["connection_refused"] == 0);
  answered["clients"][0]["retry"]["retry_on"] = {"error"};
  const json retried = run_scenario(answered, dir);
  CHECK(call_site(retried, "users", "api")["retries"] == 99);
  CHECK(call_site(retried, "users", "api")["attempts"] == 198);
}

TEST_CASE("a breaker counting only refused connections trips on a dead instance, not on error answers", "[model][breaker]") {
  ScratchDir dir("breaker-refused");
  json scenario = refused_scenario({"timeout"});
  // One instance, dead and listed: every attempt is refused.
  scenario["services"][0]["instances"] = 1;
  scenario["clients"][0]["breaker"] = {{"trip", {{"consecutive_failures", 5}}}, {"failures", {"connection_refused"}}};
  const json refused = run_scenario(scenario, dir);
  CHECK(call_site(refused, "users", "api")["breaker_opens"].get<int>() >= 1);
  bool cause_named = false;
  for (const json& b : refused["breakers"]) {
    for (const json& t : b["transitions"]) {
      if (t.contains("cause") && t["cause"].is_object() && t["cause"]["outcome"] == "connection_refused") cause_named = true;
    }
  }
  CHECK(cause_named);
  scenario["faults"] = json::parse(R"([{"name": "api-errors", "kind": "error_ratio", "target": {"service": "api"},
                                         "at": "0s", "duration": "10s", "ratio": 1}])");
  const json errors = run_scenario(scenario, dir);
  CHECK(call_site(errors, "users", "api")["breaker_opens"] == 0);
  CHECK(entity(errors, "clients", "users")["totals"]["errors"] == 99);
}

TEST_CASE("the retry-refused story: refusals are retried, declines are not", "[model][retry][scenarios]") {
  ScratchDir dir("retry-refused-story");
  const json report = run_scenario(faultline::test::load_story("retry-refused-payments.json"), dir);
  const json& calls = call_site(report, "checkout", "payments");
  const auto refused = calls["failed"]["connection_refused"].get<std::int64_t>();
  const auto retries = calls["retries"].get<std::int64_t>();
  CHECK(refused > 500);  // a quarter of up to 25s at 200/s
  CHECK(retries > 0);
  CHECK(retries <= refused);
  // Every failed attempt was either retried or is one of the client's failures.
  CHECK(entity(report, "clients", "checkout")["totals"]["errors"].get<std::int64_t>() ==
        calls["failed"]["error"].get<std::int64_t>() - retries);
}
