// Breaker tests: the behaviours of sony/gobreaker's own test suite (gobreaker_test.go), replayed
// in simulated time, plus the edges of its state machine that the Go suite covers only implicitly.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/breaker.hpp"

using namespace faultline::sim;

namespace {

BreakerCounts counts_of(std::uint32_t requests, std::uint32_t successes, std::uint32_t failures,
                        std::uint32_t consecutive_successes, std::uint32_t consecutive_failures) {
  return BreakerCounts{requests, successes, failures, consecutive_successes, consecutive_failures};
}

// One request that completes at the instant it is sent, like gobreaker's succeed()/fail().
Breaker::Rejection call(Breaker& breaker, TimeNs now, bool success) {
  const Breaker::Admission admission = breaker.before_request(now);
  if (admission.allowed()) breaker.after_request(now, admission.generation, success);
  return admission.rejection;
}
Breaker::Rejection succeed(Breaker& breaker, TimeNs now) { return call(breaker, now, true); }
Breaker::Rejection fail(Breaker& breaker, TimeNs now) { return call(breaker, now, false); }

struct Transition {
  std::uint32_t breaker_id;
  TimeNs at;
  BreakerState from;
  BreakerState to;
  friend bool operator==(const Transition&, const Transition&) = default;
};

struct RecordingListener final : BreakerListener {
  std::vector<Transition> seen;
  void on_breaker_transition(std::uint32_t breaker_id, TimeNs at, BreakerState from,
                             BreakerState to) override {
    seen.push_back({breaker_id, at, from, to});
  }
};

// gobreaker_test.go's customCB: three probes, 30 s interval, 90 s timeout, trips at a failure
// ratio of 0.6 over at least three requests.
BreakerPolicy custom_policy() {
  BreakerPolicy policy;
  policy.max_requests = 3;
  policy.interval_ns = 30 * kSecond;
  policy.timeout_ns = 90 * kSecond;
  policy.trip = TripRule::failure_ratio;
  policy.failure_ratio = 0.6;
  policy.min_requests = 3;
  return policy;
}

// A breaker with `policy`, driven open by failures at `at`.
Breaker opened_breaker(const BreakerPolicy& policy, TimeNs at) {
  Breaker breaker(policy);
  while (breaker.state(at) != BreakerState::open) fail(breaker, at);
  return breaker;
}

}  // namespace

TEST_CASE("breaker state names match gobreaker's strings", "[breaker]") {
  CHECK(std::string(breaker_state_name(BreakerState::closed)) == "closed");
  CHECK(std::string(breaker_state_name(BreakerState::half_open)) == "half-open");
  CHECK(std::string(breaker_state_name(BreakerState::open)) == "open");
}

TEST_CASE("a new breaker is closed with zero counts and generation 1", "[breaker]") {
  Breaker breaker;
  CHECK(breaker.last_state() == BreakerState::closed);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.generation() == 1);
  CHECK(breaker.expiry() == kNever);  // no interval: gobreaker's zero expiry
  CHECK(breaker.opens() == 0);

  Breaker custom(custom_policy(), 5 * kSecond);
  CHECK(custom.expiry() == 35 * kSecond);  // the first interval starts at creation
}

TEST_CASE("breaker opens after more than 5 consecutive failures by default", "[breaker]") {
  Breaker breaker{BreakerPolicy{}};
  const TimeNs t0 = 1 * kSecond;
  for (int i = 0; i < 5; ++i) CHECK(fail(breaker, t0) == Breaker::Rejection::none);
  CHECK(breaker.state(t0) == BreakerState::closed);
  CHECK(breaker.counts() == counts_of(5, 0, 5, 0, 5));

  CHECK(succeed(breaker, t0) == Breaker::Rejection::none);
  CHECK(breaker.state(t0) == BreakerState::closed);
  CHECK(breaker.counts() == counts_of(6, 1, 5, 1, 0));

  CHECK(fail(breaker, t0) == Breaker::Rejection::none);
  CHECK(breaker.counts() == counts_of(7, 1, 6, 0, 1));

  for (int i = 0; i < 4; ++i) fail(breaker, t0);
  CHECK(breaker.state(t0) == BreakerState::closed);  // five in a row is not yet "more than 5"
  fail(breaker, t0);                                   // the sixth consecutive failure
  CHECK(breaker.state(t0) == BreakerState::open);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.expiry() == t0 + 60 * kSecond);
  CHECK(breaker.opens() == 1);
}

TEST_CASE("an open breaker rejects with the open error until its timeout has passed",
          "[breaker]") {
  BreakerPolicy policy;
  policy.timeout_ns = 10 * kSecond;
  const TimeNs opened_at = 2 * kSecond;
  Breaker breaker = opened_breaker(policy, opened_at);
  const std::uint64_t open_generation = breaker.generation();

  CHECK(succeed(breaker, opened_at) == Breaker::Rejection::open);
  CHECK(fail(breaker, opened_at + 9 * kSecond) == Breaker::Rejection::open);
  CHECK(breaker.counts() == BreakerCounts{});  // rejected requests are not counted

  // gobreaker compares with expiry.Before(now): at exactly the expiry it is still open.
  CHECK(breaker.state(opened_at + 10 * kSecond) == BreakerState::open);
  CHECK(breaker.before_request(opened_at + 10 * kSecond).rejection == Breaker::Rejection::open);
  CHECK(breaker.generation() == open_generation);

  CHECK(breaker.state(opened_at + 10 * kSecond + 1) == BreakerState::half_open);
  CHECK(breaker.expiry() == kNever);  // half-open has no deadline
  CHECK(breaker.generation() == open_generation + 1);
}

TEST_CASE("a half-open breaker admits max_requests then rejects with too many requests",
          "[breaker]") {
  BreakerPolicy policy = custom_policy();  // max_requests 3
  const TimeNs t = 100 * kSecond;
  Breaker breaker = opened_breaker(policy, 0);
  REQUIRE(breaker.state(t) == BreakerState::half_open);

  const Breaker::Admission first = breaker.before_request(t);
  REQUIRE(first.allowed());
  breaker.after_request(t, first.generation, true);
  // A finished probe does not free its slot: Requests only grows within a generation.
  CHECK(breaker.before_request(t).allowed());
  CHECK(breaker.before_request(t).allowed());
  CHECK(breaker.counts() == counts_of(3, 1, 0, 1, 0));
  const Breaker::Admission fourth = breaker.before_request(t);
  CHECK_FALSE(fourth.allowed());
  CHECK(fourth.rejection == Breaker::Rejection::too_many_requests);
  CHECK(breaker.counts().requests == 3);
  CHECK(breaker.state(t) == BreakerState::half_open);
}

TEST_CASE("a half-open breaker closes after max_requests consecutive successes", "[breaker]") {
  RecordingListener listener;
  Breaker breaker(custom_policy());
  breaker.attach(7, &listener);
  const TimeNs t = 0;

  // gobreaker's TestCustomCircuitBreaker, step by step.
  for (int i = 0; i < 5; ++i) {
    CHECK(succeed(breaker, t) == Breaker::Rejection::none);
    CHECK(fail(breaker, t) == Breaker::Rejection::none);
  }
  CHECK(breaker.state(t) == BreakerState::closed);
  CHECK(breaker.counts() == counts_of(10, 5, 5, 0, 1));

  succeed(breaker, 29 * kSecond);
  CHECK(breaker.state(29 * kSecond) == BreakerState::closed);
  CHECK(breaker.counts() == counts_of(11, 6, 5, 1, 0));

  const TimeNs after_interval = 30 * kSecond + 1;
  fail(breaker, after_interval);  // the interval has passed: this failure starts fresh counts
  CHECK(breaker.state(after_interval) == BreakerState::closed);
  CHECK(breaker.counts() == counts_of(1, 0, 1, 0, 1));

  succeed(breaker, after_interval);
  fail(breaker, after_interval);  // failure ratio 2/3 >= 0.6
  CHECK(breaker.state(after_interval) == BreakerState::open);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.expiry() == after_interval + 90 * kSecond);

  const TimeNs half_open_at = after_interval + 90 * kSecond + 1;
  CHECK(breaker.state(half_open_at) == BreakerState::half_open);
  succeed(breaker, half_open_at);
  succeed(breaker, half_open_at);
  CHECK(breaker.state(half_open_at) == BreakerState::half_open);
  CHECK(breaker.counts() == counts_of(2, 2, 0, 2, 0));

  const Breaker::Admission slow = breaker.before_request(half_open_at);
  REQUIRE(slow.allowed());
  CHECK(breaker.counts() == counts_of(3, 2, 0, 2, 0));
  CHECK(succeed(breaker, half_open_at) == Breaker::Rejection::too_many_requests);
  const TimeNs slow_done = half_open_at + 100 * kMillisecond;
  breaker.after_request(slow_done, slow.generation, true);  // third consecutive success
  CHECK(breaker.state(slow_done) == BreakerState::closed);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.expiry() == slow_done + 30 * kSecond);

  const std::vector<Transition> expected{
      {7, after_interval, BreakerState::closed, BreakerState::open},
      {7, half_open_at, BreakerState::open, BreakerState::half_open},
      {7, slow_done, BreakerState::half_open, BreakerState::closed},
  };
  CHECK(listener.seen == expected);
}

TEST_CASE("a failure while half-open reopens the breaker for a new timeout", "[breaker]") {
  BreakerPolicy policy;
  policy.max_requests = 3;
  policy.timeout_ns = 5 * kSecond;
  Breaker breaker = opened_breaker(policy, 0);
  const TimeNs t = 6 * kSecond;
  REQUIRE(breaker.state(t) == BreakerState::half_open);

  succeed(breaker, t);
  succeed(breaker, t);
  CHECK(fail(breaker, t + 1) == Breaker::Rejection::none);  // one failure is enough
  CHECK(breaker.state(t + 1) == BreakerState::open);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.expiry() == t + 1 + 5 * kSecond);
  CHECK(breaker.opens() == 2);
  CHECK(succeed(breaker, t + 2) == Breaker::Rejection::open);
}

TEST_CASE("counts are cleared each interval while closed", "[breaker]") {
  BreakerPolicy policy;
  policy.interval_ns = 10 * kSecond;
  Breaker breaker(policy);
  const std::uint64_t first_generation = breaker.generation();

  for (int i = 0; i < 5; ++i) fail(breaker, 1 * kSecond);
  CHECK(breaker.counts() == counts_of(5, 0, 5, 0, 5));

  CHECK(breaker.state(10 * kSecond) == BreakerState::closed);  // exactly at expiry: kept
  CHECK(breaker.counts().requests == 5);

  CHECK(breaker.state(10 * kSecond + 1) == BreakerState::closed);
  CHECK(breaker.counts() == BreakerCounts{});
  CHECK(breaker.generation() == first_generation + 1);
  // The next interval runs from when the clearing was observed, not from the old expiry.
  CHECK(breaker.expiry() == 20 * kSecond + 1);

  // Five more failures in the new interval do not reach the threshold of more than five.
  for (int i = 0; i < 5; ++i) fail(breaker, 11 * kSecond);
  CHECK(breaker.state(11 * kSecond) == BreakerState::closed);
  CHECK(breaker.opens() == 0);
}

TEST_CASE("a result from an older generation is ignored", "[breaker]") {
  SECTION("the closed interval ended while the request was in flight") {
    Breaker breaker(custom_policy());  // 30 s interval
    succeed(breaker, 29 * kSecond);
    const Breaker::Admission slow = breaker.before_request(29 * kSecond);
    REQUIRE(slow.allowed());
    CHECK(breaker.counts() == counts_of(2, 1, 0, 1, 0));

    CHECK(breaker.state(31 * kSecond) == BreakerState::closed);
    CHECK(breaker.counts() == BreakerCounts{});

    breaker.after_request(31 * kSecond, slow.generation, false);
    CHECK(breaker.counts() == BreakerCounts{});
  }
  SECTION("the breaker tripped while the request was in flight") {
    BreakerPolicy policy;
    policy.consecutive_failures = 1;
    Breaker breaker(policy);
    const Breaker::Admission slow = breaker.before_request(0);
    fail(breaker, 1);
    fail(breaker, 2);
    REQUIRE(breaker.state(2) == BreakerState::open);
    const BreakerCounts before = breaker.counts();
    breaker.after_request(3, slow.generation, false);
    CHECK(breaker.counts() == before);
    CHECK(breaker.opens() == 1);
  }
  SECTION("another probe reopened the half-open breaker") {
    BreakerPolicy policy;
    policy.max_requests = 2;
    policy.timeout_ns = 1 * kSecond;
    Breaker breaker = opened_breaker(policy, 0);
    const TimeNs t = 2 * kSecond;
    const Breaker::Admission probe_a = breaker.before_request(t);
    const Breaker::Admission probe_b = breaker.before_request(t);
    REQUIRE(probe_a.allowed());
    REQUIRE(probe_b.allowed());
    breaker.after_request(t, probe_a.generation, false);
    REQUIRE(breaker.last_state() == BreakerState::open);
    // Even after the new timeout, the late success belongs to an old generation.
    CHECK(breaker.state(t + 2 * kSecond) == BreakerState::half_open);
    breaker.after_request(t + 2 * kSecond, probe_b.generation, true);
    CHECK(breaker.counts() == BreakerCounts{});
    CHECK(breaker.last_state() == BreakerState::half_open);
  }
}

TEST_CASE("the failure ratio rule waits for min_requests", "[breaker]") {
  BreakerPolicy policy;
  policy.trip = TripRule::failure_ratio;
  policy.failure_ratio = 0.5;
  policy.min_requests = 4;

  SECTION("all failures below min_requests keep it closed") {
    Breaker breaker(policy);
    for (int i = 0; i < 3; ++i) fail(breaker, 0);
    CHECK(breaker.state(0) == BreakerState::closed);
    fail(breaker, 0);  // 4/4 with four requests
    CHECK(breaker.state(0) == BreakerState::open);
  }
  SECTION("a ratio below the threshold keeps it closed") {
    Breaker breaker(policy);
    for (int i = 0; i < 3; ++i) succeed(breaker, 0);
    fail(breaker, 0);  // 1/4
    succeed(breaker, 0);
    fail(breaker, 0);  // 2/6
    CHECK(breaker.state(0) == BreakerState::closed);
    fail(breaker, 0);  // 3/7
    CHECK(breaker.state(0) == BreakerState::closed);
    fail(breaker, 0);  // 4/8 reaches 0.5
    CHECK(breaker.state(0) == BreakerState::open);
  }
  SECTION("requests still in flight count toward Requests") {
    Breaker breaker(policy);
    std::vector<Breaker::Admission> in_flight;
    for (int i = 0; i < 4; ++i) in_flight.push_back(breaker.before_request(0));
    breaker.after_request(1, in_flight[0].generation, false);
    CHECK(breaker.state(1) == BreakerState::closed);  // 1/4
    breaker.after_request(1, in_flight[1].generation, false);
    CHECK(breaker.state(1) == BreakerState::open);  // 2/4, with two still in flight
  }
  SECTION("the ratio is consulted only when a request fails") {
    Breaker breaker(policy);
    for (int i = 0; i < 3; ++i) fail(breaker, 0);
    succeed(breaker, 0);  // 3/4 with four requests, but a success never trips
    CHECK(breaker.state(0) == BreakerState::closed);
    fail(breaker, 0);  // 4/5
    CHECK(breaker.state(0) == BreakerState::open);
  }
}

TEST_CASE("zero and negative settings take gobreaker's defaults", "[breaker]") {
  BreakerPolicy policy;
  policy.max_requests = 0;
  policy.interval_ns = 0;
  policy.timeout_ns = 0;

  SECTION("a zero timeout means 60 seconds") {
    Breaker breaker = opened_breaker(policy, 0);
    CHECK(breaker.expiry() == 60 * kSecond);
    CHECK(breaker.state(60 * kSecond) == BreakerState::open);
    CHECK(breaker.state(60 * kSecond + 1) == BreakerState::half_open);
  }
  SECTION("a negative timeout means 60 seconds") {
    policy.timeout_ns = -5;
    Breaker breaker = opened_breaker(policy, 0);
    CHECK(breaker.expiry() == 60 * kSecond);
  }
  SECTION("a zero max_requests admits one request while half-open") {
    Breaker breaker = opened_breaker(policy, 0);
    const TimeNs t = 61 * kSecond;
    const Breaker::Admission probe = breaker.before_request(t);
    CHECK(probe.allowed());
    CHECK(breaker.before_request(t).rejection == Breaker::Rejection::too_many_requests);
    breaker.after_request(t, probe.generation, true);  // one success closes it
    CHECK(breaker.state(t) == BreakerState::closed);
  }
  SECTION("a zero or negative interval never clears counts while closed") {
    policy.interval_ns = -1;
    Breaker breaker(policy);
    for (int i = 0; i < 5; ++i) fail(breaker, i * kHour);
    CHECK(breaker.expiry() == kNever);
    CHECK(breaker.state(10 * kHour) == BreakerState::closed);
    CHECK(breaker.counts() == counts_of(5, 0, 5, 0, 5));
    fail(breaker, 11 * kHour);
    CHECK(breaker.state(11 * kHour) == BreakerState::open);
  }
  SECTION("a zero consecutive_failures threshold trips on the first failure") {
    policy.consecutive_failures = 0;
    Breaker breaker(policy);
    fail(breaker, 0);
    CHECK(breaker.state(0) == BreakerState::open);
  }
}

TEST_CASE("the listener sees each transition at the instant it happens", "[breaker]") {
  BreakerPolicy policy;
  policy.consecutive_failures = 1;
  policy.interval_ns = 1 * kSecond;
  policy.timeout_ns = 2 * kSecond;
  RecordingListener listener;
  Breaker breaker(policy);
  breaker.attach(42, &listener);

  fail(breaker, 100);
  fail(breaker, 200);  // trips
  // Interval clearings are not transitions.
  CHECK(breaker.state(200) == BreakerState::open);
  // The open -> half-open change happens when the breaker is next asked, as in gobreaker.
  const TimeNs asked_at = 200 + 5 * kSecond;
  CHECK(breaker.before_request(asked_at).allowed());
  CHECK(fail(breaker, asked_at + 1) == Breaker::Rejection::too_many_requests);
  breaker.after_request(asked_at + 3, breaker.generation(), false);  // reopens
  const TimeNs reprobe_at = asked_at + 3 + 2 * kSecond + 1;
  CHECK(succeed(breaker, reprobe_at) == Breaker::Rejection::none);

  const std::vector<Transition> expected{
      {42, 200, BreakerState::closed, BreakerState::open},
      {42, asked_at, BreakerState::open, BreakerState::half_open},
      {42, asked_at + 3, BreakerState::half_open, BreakerState::open},
      {42, reprobe_at, BreakerState::open, BreakerState::half_open},
      {42, reprobe_at, BreakerState::half_open, BreakerState::closed},
  };
  CHECK(listener.seen == expected);
  CHECK(breaker.opens() == 2);

  SECTION("a closed interval ending reports nothing") {
    const std::size_t before = listener.seen.size();
    CHECK(breaker.state(reprobe_at + 10 * kSecond) == BreakerState::closed);
    CHECK(listener.seen.size() == before);
  }
  SECTION("detaching stops reports") {
    breaker.attach(42, nullptr);
    fail(breaker, reprobe_at + 1);
    fail(breaker, reprobe_at + 2);
    CHECK(breaker.last_state() == BreakerState::open);
    CHECK(listener.seen.size() == expected.size());
  }
}
