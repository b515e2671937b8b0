// The engine's run-time records: flat arrays of small structs addressed by index, so the hot
// path touches few cache lines and never allocates in steady state.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/config.hpp"
#include "sim/retry.hpp"
#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Added network delay from a fault: a distribution sampled per message, optionally ramping
// linearly from nothing to its full size over `ramp_ns` from `start_ns`.
struct DelayFault {
  const Distribution* delay = nullptr;
  TimeNs start_ns = 0;
  TimeNs ramp_ns = 0;
};

// Network faults on one hop: a client's access link, a link between two zones, or the
// requests towards one instance. TCP's minimum retransmission timeout is 200ms; a message
// survives `max_retransmits` losses in a row.
inline constexpr TimeNs kDefaultRetransmitNs = 200 * kMillisecond;
inline constexpr std::uint32_t kDefaultMaxRetransmits = 3;
struct HopFaults {
  bool blocked = false;        // every message dropped (blackhole, partition, a zone gone)
  DelayFault delay;            // added to every message
  double loss_ratio = 0.0;     // each loss costs a retransmission
  TimeNs retransmit_ns = kDefaultRetransmitNs;
  std::uint32_t max_retransmits = kDefaultMaxRetransmits;
  double bandwidth_per_s = 0;  // >0: messages pass one by one at this rate
  TimeNs bandwidth_next_free_ns = 0;
  // Whether any effect above is on, kept by the Network's verbs (the only writers), so that a
  // message crossing a hop without faults costs one test (Network::message_delay's fast path).
  bool faulted = false;
};
enum class HopKind : std::uint8_t { client, link, instance };
// Names one hop: a client index, a zone-pair link index (from * zones + to) or an instance.
struct Hop {
  HopKind kind = HopKind::instance;
  std::uint32_t index = 0;
};

enum class InstanceStatus : std::uint8_t {
  up,        // serving
  crashed,   // process gone: connections refused, queue and in-flight work lost
  hung,      // accepts requests and never answers them
  paused,    // stop-the-world: work waits until the pause ends
  draining,  // graceful shutdown: deregistered, finishing what it has, refusing new work
  stopped,   // shut down gracefully
};
const char* instance_status_name(InstanceStatus status);

// A FIFO of work indices that grows by doubling and never shrinks.
class RingQueue {
 public:
  std::uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void push(std::uint32_t value) {
    if (size_ == buffer_.size()) grow();
    buffer_[(head_ + size_) & (buffer_.size() - 1)] = value;
    ++size_;
  }
  std::uint32_t pop() {
    const std::uint32_t value = buffer_[head_];
    head_ = (head_ + 1) & static_cast<std::uint32_t>(buffer_.size() - 1);
    --size_;
    return value;
  }
  std::uint32_t pop_back() {  // the newest
    --size_;
    return buffer_[(head_ + size_) & (buffer_.size() - 1)];
  }
  void clear() { head_ = size_ = 0; }

 private:
  void grow() {
    std::vector<std::uint32_t> bigger(buffer_.empty() ? 16 : buffer_.size() * 2);
    for (std::uint32_t i = 0; i < size_; ++i) bigger[i] = buffer_[(head_ + i) & (buffer_.size() - 1)];
    buffer_.swap(bigger);
    head_ = 0;
  }
  std::vector<std::uint32_t> buffer_;
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

// The state of one token bucket (see RateLimit) in integer time: `credit_ns` is the time's
// worth of tokens held, one token being worth 1/rate seconds.
// The bucket holds its tokens as credit in nanoseconds (one token is spacing_ns(rate) of it), so
// refills are exact integers. Reservations (Wait) may take the credit below zero: the debt is
// the wait of the latest reservation, as x/time/rate's negative token count.
struct TokenBucket {
  TimeNs credit_ns = 0;
  TimeNs updated_ns = 0;
  TimeNs last_event_ns = 0;  // when the latest reservation acts (x/time/rate's lastEvent)
  bool used = false;         // not used yet: full

  void refill(const RateLimit& limit, TimeNs now) {
    const TimeNs capacity_ns = times_ns(spacing_ns(limit.rate_per_s), limit.burst);
    credit_ns = used ? sum_ns(credit_ns, now - updated_ns) : capacity_ns;
    if (credit_ns > capacity_ns) credit_ns = capacity_ns;
    used = true;
    updated_ns = now;
  }
  // Allow(): takes a token at `now` if one is there (refilling first); false when there is none.
  bool take(const RateLimit& limit, TimeNs now) {
    const TimeNs token_ns = spacing_ns(limit.rate_per_s);
    refill(limit, now);
    if (credit_ns < token_ns) return false;
    credit_ns -= token_ns;
    return true;
  }
  // Wait's reservation (reserveN(now, 1, max_wait)): the wait until the token is there, or -1
  // when it would be longer than `max_wait_ns`, and then nothing is taken.
  TimeNs reserve(const RateLimit& limit, TimeNs now, TimeNs max_wait_ns) {
    const TimeNs token_ns = spacing_ns(limit.rate_per_s);
    refill(limit, now);
    const TimeNs after_ns = credit_ns - token_ns;
    const TimeNs wait_ns = after_ns < 0 ? -after_ns : 0;
    if (wait_ns > max_wait_ns) return -1;
    credit_ns = after_ns;
    last_event_ns = later(now, wait_ns);
    return wait_ns;
  }
  // An attempt at `now` with its deadline, under the limit's policy: Allow() (0, or -1 when
  // refused) or with `wait` Wait(ctx) (the wait for the token it reserves, or -1 when that
  // would pass the deadline). The engine and the live load generator both ask this.
  TimeNs admit(const RateLimit& limit, TimeNs now, TimeNs deadline_ns) {
    if (!limit.wait) return take(limit, now) ? 0 : -1;
    return reserve(limit, now, deadline_ns == kNever ? kNever : deadline_ns - now);
  }
  // A reservation acting at `act_ns` given up at `now` (Reservation.CancelAt): its token comes
  // back, less what reservations made after it already count on.
  void cancel(const RateLimit& limit, TimeNs now, TimeNs act_ns) {
    const TimeNs token_ns = spacing_ns(limit.rate_per_s);
    if (act_ns < now) return;
    const TimeNs restore_ns = token_ns - (last_event_ns - act_ns);
    if (restore_ns <= 0) return;
    refill(limit, now);
    const TimeNs capacity_ns = times_ns(token_ns, limit.burst);
    credit_ns = sum_ns(credit_ns, restore_ns);
    if (credit_ns > capacity_ns) credit_ns = capacity_ns;
    if (act_ns == last_event_ns && act_ns - token_ns >= now) last_event_ns = act_ns - token_ns;
  }
};

struct InstanceRuntime {
  std::uint32_t service = 0;
  std::uint32_t zone = 0;
  std::uint32_t index_in_service = 0;
  InstanceStatus status = InstanceStatus::up;
  std::uint32_t workers = 1;
  std::uint32_t busy = 0;
  std::uint32_t queue_capacity = 0;
  RingQueue queue;
  std::uint32_t cancelled_queued = 0;  // queued work already cancelled (skipped when popped)
  TokenBucket limiter;                 // its service's rate limit (429 beyond it)
  std::uint32_t concurrency_limit = 0; // its service's adaptive concurrency limit, now
  std::uint32_t admitted = 0;          // requests in flight under that limit (queued or in service)
  // Faults and warm-up change these.
  double slowdown = 1.0;               // service time multiplier
  double error_ratio = 0.0;            // share of requests answered with an error
  bool errors_fail_fast = true;        // errors before (true) or after the service time
  std::uint32_t error_operation = kNone;  // kNone: every operation
  // Network faults towards it: they act on the request messages sent to it (once per
  // attempt), not on its replies.
  HopFaults inbound;
  TimeNs paused_until_ns = 0;          // while paused: when the pause ends
  TimeNs warm_until_ns = 0;            // after a restart: slower until then
  double warm_factor = 1.0;
  TimeNs down_since_ns = kNever;       // when it crashed (kNever while up)
  std::uint32_t down_cause = kNone;    // the fault that crashed it (kNone: none, or up)
  // Attempts that callers still addressed to it while it was crashed (stale views): the
  // latest such instant, and the longest lag after a crash at which one was sent.
  TimeNs last_arrival_while_down_ns = -1;
  TimeNs max_down_arrival_lag_ns = -1;
  std::uint64_t crash_count = 0;
  std::uint64_t served = 0;            // requests finished (any outcome)
  // Conservation bookkeeping for the invariant checker (sim/invariant_checker.hpp): requests
  // that arrived, were answered (a reply sent, resets included), or were dropped unanswered.
  std::uint64_t arrivals = 0;
  std::uint64_t answered = 0;
  std::uint64_t dropped = 0;
  Rng rng;
};

struct ServiceRuntime {
  std::uint32_t first_instance = 0;
  std::uint32_t instance_count = 0;
  std::uint32_t first_operation = 0;
  std::uint32_t operation_count = 0;
  double slowdown = 1.0;  // service-wide multiplier (faults)
};

struct OperationRuntime {
  std::uint32_t service = 0;
  std::uint32_t first_step = 0;
  std::uint32_t step_count = 0;
  const Operation* config = nullptr;
};

struct StepRuntime {
  std::uint32_t first_site = 0;
  std::uint32_t site_count = 0;
};

enum class CallerKind : std::uint8_t { client, work, process, hedge };  // hedge: parent is the hedged call

// Per caller and callee instance: what this caller knows about that instance.
struct PeerState {
  std::uint32_t outstanding = 0;          // attempts sent and not yet answered or given up
  std::uint32_t consecutive_errors = 0;   // for outlier detection
  std::uint32_t times_ejected = 0;
  TimeNs ejected_until_ns = 0;            // ejected while now < this
};

// What one calling process holds about one callee: its cached discovery view (refreshed on its
// own phase), its balancer position, its per-instance outstanding counts and its outlier-detection
// state. By default each calling instance owns one, as real processes do; a call whose scope is
// the calling service (a sidecar or proxy shared by a host) has a single one for all instances.
struct CallerView {
  std::uint32_t site = 0;
  std::uint32_t caller_instance = kNone;  // kNone: shared by the whole caller (or a client)
  std::uint32_t members_offset = 0;       // slice of Engine::view_members_
  std::uint32_t size = 0;                 // instances currently in the view
  std::uint32_t peer_offset = 0;          // slice of Engine::peer_state_, one per callee instance
  std::uint32_t ejected = 0;              // callee instances this caller has ejected now
  std::uint64_t round_robin = 0;
  TimeNs refreshed_ns = 0;
  TokenBucket limiter;  // the call's own rate limit, if any
};

// One bulkhead (see Bulkhead): the permits taken, and the attempts waiting for one in arrival
// order, as a list threaded through CallRecord::wait_prev/wait_next.
struct BulkheadState {
  const Bulkhead* config = nullptr;
  std::uint32_t busy = 0;
  std::uint32_t wait_head = kNone;
  std::uint32_t wait_tail = kNone;
};

// A call site: one caller (a client, or a step of a service's operation) towards one callee
// operation, with its policy, its callers' views and its retry budget.
struct SiteRuntime {
  const CallPolicy* policy = nullptr;
  std::uint32_t callee_service = 0;
  std::uint32_t callee_operation = 0;  // global operation index
  std::uint32_t caller_service = kNone;
  std::uint32_t caller_client = kNone;
  double probability = 1.0;
  bool required = true;
  std::uint32_t first_view = 0;  // slice of Engine::views_: one per calling instance, or one shared
  std::uint32_t view_count = 0;
  std::uint32_t breaker_base = kNone;
  std::uint32_t breaker_count = 0;
  std::uint32_t bulkhead_base = kNone;  // slice of Engine::bulkheads_, shared by the caller's calls to one service
  std::uint32_t bulkhead_count = 0;
  RetryBudgetState budget;  // Finagle's retry budget (sim/retry.hpp); disabled unless the policy has one
  Rng rng;
};

struct ClientRuntime {
  std::uint32_t site = 0;
  std::uint32_t zone = 0;
  std::uint32_t outstanding = 0;
  std::uint64_t started = 0;         // requests started (the checker: finished + outstanding)
  std::uint32_t schedule_index = 0;  // current segment of the rate schedule
  HopFaults faults;  // on its own access link: its request messages, once per attempt
  Rng arrivals;
};

struct BreakerInfo {
  std::uint32_t site = 0;
  std::uint32_t caller_instance = kNone;  // kNone: one breaker for the whole caller
};

// hedging: its attempts are child calls; bulkhead_wait: waiting for a permit; bulkhead_granted:
// given one, to be sent at once; fallback: failed, its fallback answer on the way; rate_wait:
// waiting for the token it reserved from its caller's own rate limit (RateLimit::wait).
enum class CallState : std::uint8_t { free, waiting, backoff, hedging, bulkhead_wait, bulkhead_granted, fallback, rate_wait };

struct CallRecord {
  std::uint32_t site = 0;
  std::uint32_t parent = 0;        // client index, work index or process index
  std::uint32_t parent_token = 0;  // detects a parent that died meanwhile
  std::uint32_t caller_instance = kNone;
  std::uint32_t token = 0;         // changes with every attempt
  std::uint32_t instance = kNone;  // the current attempt's callee instance
  std::uint32_t breaker = kNone;
  std::uint32_t attempts = 0;
  std::uint32_t operation = 0;  // global operation index of the callee
  CallerKind caller = CallerKind::client;
  CallState state = CallState::free;
  TimeNs started_ns = 0;
  std::uint64_t breaker_generation = 0;
  TimeNs deadline_ns = kNever;       // the deadline inherited from the caller's own request
  // With a waiting rate limit (RateLimit::wait): when the current attempt's reserved token is
  // there, and the deadline it had when it began to wait (the wait counts against it).
  TimeNs rate_act_ns = 0;
  TimeNs rate_deadline_ns = kNever;
  std::uint32_t work = kNone;        // the current attempt's work (callee side) and its token
  std::uint32_t work_token = 0;
  std::uint32_t next_sibling = kNone;  // the parent's next outstanding call (cancellation, hedging)
  std::uint32_t first_hedge = kNone;   // a hedged call: its attempts in flight, as child calls
  std::uint32_t hedges_outstanding = 0;
  std::uint32_t bulkhead = kNone;   // the bulkhead whose permit the current attempt holds or awaits
  bool holds_permit = false;
  std::uint32_t wait_prev = kNone;  // neighbours in the bulkhead's wait list
  std::uint32_t wait_next = kNone;
};

enum class WorkState : std::uint8_t { free, travelling, queued_on_link, queued, in_service, waiting_children, stuck, replying };

// One attempt as the callee sees it: the request message, its place in a queue, its
// execution, and the reply message.
struct WorkRecord {
  std::uint32_t call = 0;
  std::uint32_t call_token = 0;
  std::uint32_t token = 0;  // changes whenever the slot is reused or the work is killed
  std::uint32_t instance = 0;
  std::uint32_t operation = 0;  // global operation index
  std::uint32_t caller_zone = 0;
  std::uint32_t step = 0;
  std::uint32_t pending = 0;  // child calls not yet completed
  TimeNs arrived_ns = 0;
  TimeNs deadline_ns = kNever;        // when its caller stops waiting for it
  std::uint32_t first_child = kNone;  // its outstanding downstream calls (kept for cancellation)
  WorkState state = WorkState::free;
  Outcome outcome = Outcome::ok;
  bool failed = false;
  bool cancelled = false;  // its caller gave up and told it so
  bool degraded = false;   // a required downstream call answered with a fallback
  bool admitted = false;   // counted in its instance's adaptive concurrency limit
  std::uint32_t inflight_at_admission = 0;
};

struct RegistryEntry {
  bool registered = true;
  bool passing = true;
  bool published_healthy = true;  // what a view refresh sees
  std::uint32_t consecutive_passes = 0;
  std::uint32_t consecutive_failures = 0;
  TimeNs critical_since_ns = kNever;
  bool stale_pinned = false;  // a stale_entries fault keeps it listed as healthy
  // A flapping_health_check fault: from flap_start_ns its checks fail for flap_period_ns,
  // then pass for flap_period_ns, and so on (whatever the instance's real state).
  bool flapping = false;
  TimeNs flap_start_ns = 0;
  TimeNs flap_period_ns = 0;
};

struct RegistryRuntime {
  bool outage = false;         // changes do not reach callers
  TimeNs extra_delay_ns = 0;   // added propagation delay
};

}  // namespace faultline::sim
