// Issue 12 §2 through the real program: deadline propagation, servers dropping expired work,
// and cancellation travelling downstream, each checked against a reference computation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_run.hpp"

using faultline::test::call_site;
using faultline::test::entity;
using faultline::test::run_scenario;
using faultline::test::ScratchDir;
using nlohmann::json;

namespace {

// A client calls `front`, whose one operation spends `front_time` and then calls `back`.
json chain(const std::string& front_time, const std::string& back_time, bool propagate) {
  return json::parse(R"({
    "version": 1, "name": "deadline-chain", "seed": 1, "duration": "10s", "zones": ["z"],
    "services": [
      {"name": "front", "instances": 1, "workers": 100, "service_time": ")" + front_time + R"(",
       "calls": [{"service": "back", "timeout": "1s", "deadline_propagation": )" + (propagate ? "true" : "false") + R"(,
                  "retry": {"max_attempts": 3}}]},
      {"name": "back", "instances": 1, "workers": 100, "service_time": ")" + back_time + R"("}
    ],
    "clients": [{"name": "users", "zone": "z", "service": "front", "open_loop": {"rate": 10, "arrivals": "constant"},
                 "timeout": "1s"}]
  })");
}

// One worker serving a FIFO queue, requests every `gap_ms` from `gap_ms` on, each served for
// `service_ms`, its caller waiting `deadline_ms`: the reference behaviour. A request still
// queued at its deadline is dropped when the worker reaches it (`drop`); one in service past
// its deadline either finishes late or, with `stop_late`, stops at the end of its service.
// Counts only what happens before `duration_ms`, as the engine does.
struct Reference {
  int ok = 0;             // answered before the caller's deadline
  int late = 0;           // served, finished at or after the deadline
  int dropped_queued = 0; // dropped unserved
  int timeouts = 0;       // caller timeouts before the end of the run
};
Reference single_worker(int gap_ms, int service_ms, int deadline_ms, int duration_ms, bool drop) {
  Reference out;
  int free_at = 0;
  for (int arrival = gap_ms; arrival < duration_ms; arrival += gap_ms) {
    const int deadline = arrival + deadline_ms;
    if (deadline < duration_ms) ++out.timeouts;
    const int start = std::max(arrival, free_at);
    if (drop && start >= deadline) {
      if (start < duration_ms) ++out.dropped_queued;
      continue;
    }
    free_at = start + service_ms;
    if (free_at >= duration_ms) continue;
    if (free_at < deadline) {
      ++out.ok;
      if (deadline < duration_ms) --out.timeouts;
    } else {
      ++out.late;
    }
  }
  return out;
}

json single_worker_scenario(bool drop_expired, bool cancellation) {
  json scenario = json::parse(R"({
    "version": 1, "name": "single-worker", "seed": 1, "duration": "2s", "zones": ["z"],
    "services": [
      {"name": "front", "instances": 1, "workers": 100, "calls": [{"service": "back"}, {"service": "audit"}]},
      {"name": "back", "instances": 1, "workers": 1, "service_time": "73ms"},
      {"name": "audit", "instances": 1, "workers": 1}
    ],
    "clients": [{"name": "users", "zone": "z", "service": "front", "open_loop": {"rate": 20, "arrivals": "constant"},
                 "timeout": "131ms"}]
  })");
  scenario["services"][1]["drop_expired"] = drop_expired;
  scenario["services"][0]["honour_cancellation"] = cancellation;
  scenario["services"][1]["honour_cancellation"] = cancellation;
  if (drop_expired) scenario["services"][0]["calls"][0]["deadline_propagation"] = true;
  return scenario;
}

}  // namespace

TEST_CASE("deadline propagation: a downstream call gives up when the caller's caller does", "[model][deadline]") {
  // front spends 700ms, then calls back (500ms) with its own 1s timeout; users wait 1s.
  ScratchDir dir("deadline-propagation");
  const json without = run_scenario(chain("700ms", "500ms", false), dir);
  const json& plain = call_site(without, "front", "back");
  CHECK(plain["ok"].get<int>() > 0);
  CHECK(plain["failed"]["timeout"] == 0);  // back answers at 1.2s, 200ms after users gave up
  CHECK(entity(without, "clients", "users")["totals"]["ok"] == 0);

  const json with = run_scenario(chain("700ms", "500ms", true), dir);
  const json& propagated = call_site(with, "front", "back");
  // Effective timeout min(1s, 1s - 700ms) = 300ms: every call times out when users do.
  CHECK(propagated["ok"] == 0);
  // Calls started in the run's last 300ms (3 at 10/s) are still waiting when it ends.
  CHECK(propagated["failed"]["timeout"].get<int>() == propagated["attempts"].get<int>() - 3);
  CHECK(propagated["attempts"].get<int>() > 0);
  CHECK(propagated["retries"] == 0);  // no retry once the deadline has passed
  CHECK(propagated["deadline_exceeded"] == 0);
}

TEST_CASE("deadline propagation: a call whose deadline has passed fails at once and is never sent", "[model][deadline]") {
  ScratchDir dir("deadline-passed");
  const json report = run_scenario(chain("1100ms", "10ms", true), dir);
  const json& calls = call_site(report, "front", "back");
  CHECK(calls["attempts"].get<int>() > 0);
  CHECK(calls["deadline_exceeded"] == calls["attempts"]);
  CHECK(calls["sent"] == 0);
  CHECK(calls["retries"] == 0);
  CHECK(entity(report, "services", "back")["totals"]["requests"] == 0);
}

TEST_CASE("drop_expired: a worker skips queued work whose deadline passed, as the reference queue does", "[model][deadline]") {
  ScratchDir dir("drop-expired");
  const Reference keep = single_worker(50, 73, 131, 2000, false);
  const Reference drop = single_worker(50, 73, 131, 2000, true);
  REQUIRE(drop.dropped_queued > 0);

  const json before = run_scenario(single_worker_scenario(false, false), dir);
  CHECK(entity(before, "clients", "users")["totals"]["ok"] == keep.ok);
  CHECK(entity(before, "clients", "users")["totals"]["timeouts"] == keep.timeouts);
  CHECK(entity(before, "services", "back")["totals"]["ok"] == keep.ok + keep.late);

  const json after = run_scenario(single_worker_scenario(true, false), dir);
  const json& back = entity(after, "services", "back");
  CHECK(entity(after, "clients", "users")["totals"]["ok"] == drop.ok);
  CHECK(entity(after, "clients", "users")["totals"]["timeouts"] == drop.timeouts);
  CHECK(back["expired"] == drop.dropped_queued);
  CHECK(back["totals"]["ok"] == drop.ok + drop.late);
  // FIFO still serves the oldest live request, which is nearly expired (LIFO would help), but
  // the worker skips those nobody waits for, so its backlog is shorter.
  CHECK(drop.ok + drop.late + drop.dropped_queued > keep.ok + keep.late);
}

TEST_CASE("cancellation: queued work is dropped, work in service stops, and the next step never runs", "[model][deadline]") {
  ScratchDir dir("cancellation");
  // The users' timeout reaches front, front cancels its call to back: back's queued work is
  // dropped when reached and its work in service stops at the end of its service time, which
  // for one worker is the reference queue with drops (cancelled in service = served late).
  const Reference reference = single_worker(50, 73, 131, 2000, true);
  const json report = run_scenario(single_worker_scenario(false, true), dir);
  const json& back = entity(report, "services", "back");
  CHECK(entity(report, "clients", "users")["totals"]["ok"] == reference.ok);
  CHECK(back["cancelled"] == reference.dropped_queued + reference.late);
  CHECK(back["totals"]["ok"] == reference.ok);
  // front stopped each cancelled request before its second step: audit only sees the rest.
  CHECK(entity(report, "services", "audit")["totals"]["requests"] == reference.ok);
  CHECK(call_site(report, "front", "back")["cancelled"] == entity(report, "services", "front")["cancelled"]);
  CHECK(entity(report, "services", "front")["cancelled"] == reference.timeouts);

  // Without it, back serves every request, abandoned or not, and audit is called after each.
  const json plain = run_scenario(single_worker_scenario(false, false), dir);
  const Reference keep = single_worker(50, 73, 131, 2000, false);
  CHECK(entity(plain, "services", "back")["totals"]["ok"] == keep.ok + keep.late);
  CHECK(entity(plain, "services", "audit")["totals"]["requests"] == keep.ok + keep.late);
}
