// The pending-event set: order by time, then by the order events were scheduled.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"

using namespace faultline::sim;

TEST_CASE("events come out in time order", "[queue]") {
  EventQueue q;
  Rng rng(7);
  std::vector<TimeNs> times;
  for (int i = 0; i < 10000; ++i) {
    const TimeNs t = static_cast<TimeNs>(rng.below(1000000));
    times.push_back(t);
    q.push(t, 1, static_cast<std::uint32_t>(i), 0);
  }
  std::sort(times.begin(), times.end());
  for (TimeNs expected : times) {
    REQUIRE_FALSE(q.empty());
    CHECK(q.pop().time == expected);
  }
  CHECK(q.empty());
}

TEST_CASE("events at the same instant run in the order they were scheduled", "[queue]") {
  EventQueue q;
  for (std::uint32_t i = 0; i < 1000; ++i) q.push(i % 3 == 0 ? 5 : 9, static_cast<std::uint8_t>(i % 7), i, 0);
  std::uint32_t last_at_5 = 0, last_at_9 = 0;
  bool first5 = true, first9 = true;
  while (!q.empty()) {
    const Event e = q.pop();
    if (e.time == 5) {
      CHECK((first5 || e.a > last_at_5));
      first5 = false;
      last_at_5 = e.a;
    } else {
      CHECK((first9 || e.a > last_at_9));
      first9 = false;
      last_at_9 = e.a;
    }
  }
}

TEST_CASE("interleaved pushes and pops keep the order", "[queue]") {
  EventQueue q;
  Rng rng(3);
  TimeNs now = 0;
  std::uint64_t popped = 0;
  for (int round = 0; round < 50000; ++round) {
    q.push(now + static_cast<TimeNs>(rng.below(1000)), 0, 0, 0);
    if (round % 3 != 0) {
      const Event e = q.pop();
      REQUIRE(e.time >= now);
      now = e.time;
      ++popped;
    }
  }
  CHECK(popped > 30000);
}

TEST_CASE("the kind and payload survive the queue", "[queue]") {
  EventQueue q;
  q.push(10, 200, 0xdeadbeef, 0x12345678);
  const Event e = q.pop();
  CHECK(e.kind() == 200);
  CHECK(e.a == 0xdeadbeefu);
  CHECK(e.b == 0x12345678u);
  CHECK(e.seq() == 0);
}
