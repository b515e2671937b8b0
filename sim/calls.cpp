// The caller's side of a call: attempts, timeouts, retries with backoff and a budget,
// circuit breakers, load balancing and outlier detection.
#include <cassert>
#include <cmath>

#include "sim/balancer.hpp"
#include "sim/check.hpp"
#include "sim/engine.hpp"
#include "sim/retry.hpp"
#include "sim/event_kinds.hpp"
#include "sim/process.hpp"

namespace faultline::sim {

std::uint32_t Engine::start_call(std::uint32_t site_index, CallerKind caller_kind, std::uint32_t parent,
                                 std::uint32_t parent_token, std::uint32_t caller_instance, std::uint32_t operation) {
  const std::uint32_t call = alloc_call();
  CallRecord& record = calls_[call];
  record.site = site_index;
  record.caller = caller_kind;
  record.parent = parent;
  record.parent_token = parent_token;
  record.caller_instance = caller_instance;
  record.operation = operation;
  record.attempts = 0;
  record.instance = kNone;
  record.breaker = kNone;
  record.started_ns = now_;
  record.work = kNone;
  record.next_sibling = kNone;
  record.deadline_ns = kNever;
  record.first_hedge = kNone;
  record.hedges_outstanding = 0;
  record.bulkhead = kNone;
  record.holds_permit = false;
  record.rate_deadline_ns = kNever;
  if (caller_kind == CallerKind::hedge) {
    // One attempt of a hedged call: it inherits the call's deadline and joins its attempts.
    CallRecord& hedged = calls_[parent];
    record.deadline_ns = hedged.deadline_ns;
    record.next_sibling = hedged.first_hedge;
    hedged.first_hedge = call;
    send_attempt(call);
    return call;
  }
  if (caller_kind == CallerKind::work) {
    WorkRecord& parent_work = works_[parent];
    record.deadline_ns = parent_work.deadline_ns;
    if (config_.services[sites_[site_index].caller_service].honours_cancellation) {
      // The caller keeps its outstanding calls, so a cancellation can reach them.
      record.next_sibling = parent_work.first_child;
      parent_work.first_child = call;
    }
  }
  SiteRuntime& site = sites_[site_index];
  site.budget.deposit(now_);  // the same budget the live load generator keeps (sim/retry.hpp)
  if (site.policy->hedging.enabled) {
    record.state = CallState::hedging;
    record.token = next_token_++;
    const std::uint32_t token = record.token;
    const TimeNs delay = site.policy->hedging.delay_ns;
    if (delay > 0 && site.policy->hedging.max_attempts > 1) queue_.push(later(now_, delay), kHedge, call, token);
    send_hedge(call);
    // A zero delay sends them all at once (while none has ended the call yet).
    while (delay == 0 && calls_[call].state == CallState::hedging && calls_[call].token == token &&
           calls_[call].attempts < site.policy->hedging.max_attempts) {
      send_hedge(call);
    }
    return call;
  }
  send_attempt(call);
  return call;
}

// Sends one more attempt of a hedged call, as a child call of its own.
void Engine::send_hedge(std::uint32_t call) {
  CallRecord& record = calls_[call];
  ++record.attempts;
  ++record.hedges_outstanding;
  if (record.attempts > 1) ++results_.sites[record.site].hedged;
  const CallRecord copy = record;  // start_call may grow the pool
  start_call(copy.site, CallerKind::hedge, call, copy.token, copy.caller_instance, copy.operation);
}

void Engine::on_hedge_timer(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::hedging || record.token != token) return;
  const HedgingPolicy& hedging = sites_[record.site].policy->hedging;
  if (record.attempts >= hedging.max_attempts) return;
  send_hedge(call);
  const CallRecord& after = calls_[call];
  if (after.state == CallState::hedging && after.token == token && after.attempts < hedging.max_attempts) {
    queue_.push(later(now_, hedging.delay_ns), kHedge, call, token);
  }
}

// One attempt of a hedged call ended. The first ok answer, or a fatal outcome, ends the call and
// cancels the attempts still in flight; a non-fatal failure sends the next attempt at once; the
// call fails when its last attempt has failed.
void Engine::hedge_done(std::uint32_t call, std::uint32_t token, std::uint32_t attempt, Outcome outcome) {
  CallRecord& record = calls_[call];
  if (record.state != CallState::hedging || record.token != token) return;  // already decided
  std::uint32_t* link = &record.first_hedge;
  while (*link != kNone && *link != attempt) link = &calls_[*link].next_sibling;
  if (*link == attempt) *link = calls_[attempt].next_sibling;
  --record.hedges_outstanding;
  const HedgingPolicy& hedging = sites_[record.site].policy->hedging;
  const bool fatal = !succeeded(outcome) && (hedging.non_fatal_mask & outcome_bit(outcome)) == 0;
  if (!succeeded(outcome) && !fatal) {
    if (record.attempts < hedging.max_attempts) {
      send_hedge(call);
      return;
    }
    if (record.hedges_outstanding > 0) return;  // the others may still answer
  }
  finish_hedged(call, outcome);
}

// Ends a hedged call with `outcome` and cancels its attempts still in flight.
void Engine::finish_hedged(std::uint32_t call, Outcome outcome) {
  std::uint32_t attempt = calls_[call].first_hedge;
  calls_[call].first_hedge = kNone;
  complete_call(call, outcome);  // frees the call: the losers' endings find it decided
  while (attempt != kNone) {
    const std::uint32_t next = calls_[attempt].next_sibling;
    cancel_call(attempt);
    attempt = next;
  }
}

std::uint32_t Engine::breaker_for(const SiteRuntime& site, std::uint32_t caller_instance) const {
  if (site.breaker_count == 1 || caller_instance == kNone) return site.breaker_base;
  return site.breaker_base + instances_[caller_instance].index_in_service;
}

std::uint32_t Engine::view_for(const SiteRuntime& site, std::uint32_t caller_instance) const {
  if (site.view_count == 1 || caller_instance == kNone) return site.first_view;
  return site.first_view + instances_[caller_instance].index_in_service;
}

std::uint32_t Engine::bulkhead_for(const SiteRuntime& site, std::uint32_t caller_instance) const {
  if (site.bulkhead_count == 1 || caller_instance == kNone) return site.bulkhead_base;
  return site.bulkhead_base + instances_[caller_instance].index_in_service;
}

// One attempt: the deadline, the caller's own rate limit, its breaker and its bulkhead each may
// refuse it before it is sent (in that order, as resilience4j nests a Bulkhead inside its
// CircuitBreaker); then dispatch_attempt() sends it.
void Engine::send_attempt(std::uint32_t call) {
  CallRecord& record = calls_[call];
  SiteRuntime& site = sites_[record.site];
  ++record.attempts;
  ++results_.sites[record.site].attempts;
  record.token = next_token_++;
  record.state = CallState::waiting;
  record.rate_deadline_ns = kNever;  // a new attempt: no rate-limit wait yet
  const TimeNs deadline = attempt_deadline(site, record);
  if (deadline <= now_) {
    // Go's context: a request whose deadline has passed fails at once, without being sent.
    ++results_.sites[record.site].deadline_exceeded;
    attempt_done(call, Outcome::timeout);
    return;
  }
  if (site.policy->rate_limit.enabled && !pass_rate_limit(call, deadline)) return;  // refused, or waiting for a token
  admit_attempt(call, deadline);
}

// The caller's own token bucket. Allow(): a token now, or the attempt is refused. Wait(ctx): the
// attempt reserves the next token and waits for it, unless the wait would pass its deadline
// (then it is refused at once and takes nothing). False when the attempt does not go on now.
bool Engine::pass_rate_limit(std::uint32_t call, TimeNs deadline) {
  CallRecord& record = calls_[call];
  const SiteRuntime& site = sites_[record.site];
  const RateLimit& limit = site.policy->rate_limit;
  TokenBucket& bucket = views_[view_for(site, record.caller_instance)].limiter;
  // Wait's limit is what remains of the deadline (a token due exactly then is still granted;
  // the attempt then finds its deadline passed and fails as a timeout).
  const TimeNs wait_ns = bucket.admit(limit, now_, deadline);
  if (wait_ns < 0) {
    // Allow() said no, or "rate: Wait(n=1) would exceed context deadline": never sent.
    attempt_done(call, Outcome::rate_limited);
    return false;
  }
  if (wait_ns == 0) return true;
  ++results_.sites[record.site].rate_waited;
  record.state = CallState::rate_wait;
  record.rate_act_ns = later(now_, wait_ns);
  record.rate_deadline_ns = deadline;  // the wait counts against the attempt's timeout
  queue_.push(record.rate_act_ns, kRateWaitDone, call, record.token);
  return false;
}

void Engine::on_rate_wait_done(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::rate_wait || record.token != token) return;
  admit_attempt(call, attempt_deadline(sites_[record.site], record));
}

// The checks after the rate limit: the caller's breaker, then its bulkhead; then the attempt goes
// (`deadline` is attempt_deadline() now).
void Engine::admit_attempt(std::uint32_t call, TimeNs deadline) {
  CallRecord& record = calls_[call];
  const SiteRuntime& site = sites_[record.site];
  record.state = CallState::waiting;
  if (site.breaker_count > 0 && !pass_breaker(call)) return;           // refused
  if (site.bulkhead_count > 0 && !take_bulkhead_permit(call)) return;  // waiting for a permit, or refused
  dispatch_attempt(call, deadline);
}

// Asks the attempt's breaker. False when it refuses: the attempt has then ended, rejected.
bool Engine::pass_breaker(std::uint32_t call) {
  CallRecord& record = calls_[call];
  const std::uint32_t breaker = breaker_for(sites_[record.site], record.caller_instance);
  const Breaker::Admission admission = breakers_[breaker].before_request(now_);
  if (!admission.allowed()) {
    attempt_done(call, Outcome::rejected);
    return false;
  }
  record.breaker = breaker;
  record.breaker_generation = admission.generation;
  return true;
}

// Sends an attempt that every check admitted to an instance from the caller's view (`deadline`
// is attempt_deadline() now).
void Engine::dispatch_attempt(std::uint32_t call, TimeNs deadline) {
  CallRecord& record = calls_[call];
  SiteRuntime& site = sites_[record.site];
  record.state = CallState::waiting;
  const std::uint32_t caller_zone =
      record.caller_instance != kNone ? instances_[record.caller_instance].zone : clients_[site.caller_client].zone;
  if (deadline <= now_) {
    // Only after a bulkhead wait: the propagated deadline passed meanwhile.
    ++results_.sites[record.site].deadline_exceeded;
    attempt_done(call, Outcome::timeout);
    return;
  }
  CallerView& view = views_[view_for(site, record.caller_instance)];
  const std::uint32_t instance = pick_instance(site, view, caller_zone);
  if (instance == kNone) {
    attempt_done(call, Outcome::unavailable);
    return;
  }
  record.instance = instance;
  ++results_.sites[record.site].sent;
  InstanceRuntime& callee = instances_[instance];
  if (callee.status == InstanceStatus::crashed) note_traffic_to_crashed(instance);  // a stale view
  ++peer_state_[view.peer_offset + callee.index_in_service].outstanding;
  if (deadline != kNever) queue_.push(deadline, kAttemptTimeout, call, record.token);

  const std::uint32_t work = alloc_work();
  WorkRecord& w = works_[work];
  record.work = work;
  record.work_token = w.token;
  w.deadline_ns = deadline;
  w.first_child = kNone;
  w.cancelled = false;
  w.degraded = false;
  w.admitted = false;
  w.call = call;
  w.call_token = record.token;
  w.instance = instance;
  w.operation = record.operation;
  w.caller_zone = caller_zone;
  w.step = 0;
  w.pending = 0;
  w.failed = false;
  w.outcome = Outcome::ok;
  w.state = WorkState::travelling;
  bool lost = false;
  HopFaults* client_link = record.caller_instance == kNone ? &clients_[site.caller_client].faults : nullptr;
  const TimeNs delay = network_.message_delay(now_, caller_zone, callee.zone, &callee.inbound, client_link, site.rng, lost);
  if (lost) {
    free_work(work);  // the caller finds out by its timeout, as in reality
  } else if (delay == 0) {
    deliver(work);
  } else {
    queue_.push(later(now_, delay), kAttemptArrive, work, w.token);
  }
}

// Takes a permit of the attempt's bulkhead. With none free, the attempt waits at the end of the
// bulkhead's queue for at most its max_wait, or is refused at once when that is 0.
bool Engine::take_bulkhead_permit(std::uint32_t call) {
  CallRecord& record = calls_[call];
  const std::uint32_t index = bulkhead_for(sites_[record.site], record.caller_instance);
  BulkheadState& bulkhead = bulkheads_[index];
  record.bulkhead = index;
  if (bulkhead.busy < bulkhead.config->max_concurrent) {
    ++bulkhead.busy;
    record.holds_permit = true;
    return true;
  }
  if (bulkhead.config->max_wait_ns == 0) {
    attempt_done(call, Outcome::bulkhead_full);
    return false;
  }
  ++results_.sites[record.site].bulkhead_waited;
  record.state = CallState::bulkhead_wait;
  record.wait_next = kNone;
  record.wait_prev = bulkhead.wait_tail;
  if (bulkhead.wait_tail != kNone) {
    calls_[bulkhead.wait_tail].wait_next = call;
  } else {
    bulkhead.wait_head = call;
  }
  bulkhead.wait_tail = call;
  queue_.push(later(now_, bulkhead.config->max_wait_ns), kBulkheadTimeout, call, record.token);
  return false;
}

// An attempt that held a permit ended: the permit passes to the attempt that has waited longest
// (which goes out at once, in an event of its own), or back to the bulkhead.
void Engine::release_bulkhead_permit(CallRecord& record) {
  record.holds_permit = false;
  BulkheadState& bulkhead = bulkheads_[record.bulkhead];
  const std::uint32_t next = bulkhead.wait_head;
  if (next == kNone) {
    FAULTLINE_ASSERT(bulkhead.busy > 0);
    --bulkhead.busy;
    return;
  }
  unlink_bulkhead_waiter(next);
  CallRecord& waiter = calls_[next];
  waiter.holds_permit = true;
  waiter.state = CallState::bulkhead_granted;
  queue_.push(now_, kBulkheadGrant, next, waiter.token);
}

void Engine::unlink_bulkhead_waiter(std::uint32_t call) {
  CallRecord& record = calls_[call];
  BulkheadState& bulkhead = bulkheads_[record.bulkhead];
  if (record.wait_prev != kNone) {
    calls_[record.wait_prev].wait_next = record.wait_next;
  } else {
    bulkhead.wait_head = record.wait_next;
  }
  if (record.wait_next != kNone) {
    calls_[record.wait_next].wait_prev = record.wait_prev;
  } else {
    bulkhead.wait_tail = record.wait_prev;
  }
  record.wait_prev = record.wait_next = kNone;
}

void Engine::on_bulkhead_timeout(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::bulkhead_wait || record.token != token) return;
  unlink_bulkhead_waiter(call);
  attempt_done(call, Outcome::bulkhead_full);  // resilience4j's BulkheadFullException after maxWaitDuration
}

void Engine::on_bulkhead_grant(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::bulkhead_granted || record.token != token) return;
  dispatch_attempt(call, attempt_deadline(sites_[record.site], record));
}

// The instant an attempt's caller stops waiting: its own timeout, or (with deadline
// propagation) what remains of the deadline it inherited, whichever comes first.
TimeNs Engine::attempt_deadline(const SiteRuntime& site, const CallRecord& record) const {
  TimeNs deadline = site.policy->timeout_ns > 0 ? later(now_, site.policy->timeout_ns) : kNever;
  if (site.policy->deadline_propagation && record.deadline_ns < deadline) deadline = record.deadline_ns;
  if (record.rate_deadline_ns < deadline) deadline = record.rate_deadline_ns;  // after a rate-limit wait
  return deadline;
}

void Engine::on_attempt_timeout(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::waiting || record.token != token) {
    ++results_.stale_timers;
    return;
  }
  send_cancel(record);
  attempt_done(call, Outcome::timeout);
}

// Tells the current attempt's callee that its caller gave up, if the callee listens (its
// service honours cancellation). The message crosses the network like any other.
void Engine::send_cancel(const CallRecord& record) {
  if (record.work == kNone || !config_.services[sites_[record.site].callee_service].honours_cancellation) return;
  const WorkRecord& w = works_[record.work];
  if (w.token != record.work_token) return;  // already answered, lost or gone
  bool lost = false;
  const TimeNs delay = network_.message_delay(now_, w.caller_zone, instances_[w.instance].zone, nullptr, nullptr,
                                              sites_[record.site].rng, lost);
  if (!lost) queue_.push(later(now_, delay), kCancelArrive, record.work, record.work_token);
}

// The caller's own request was cancelled: its call gives up at once, whatever state it is in
// (Go's http.Client returns "context canceled"), and its attempt's callee is told.
void Engine::cancel_call(std::uint32_t call) {
  CallRecord& record = calls_[call];
  if (record.state == CallState::hedging) {
    finish_hedged(call, Outcome::cancelled);
    return;
  }
  if (record.state == CallState::bulkhead_wait) unlink_bulkhead_waiter(call);
  if (record.state == CallState::rate_wait) {
    // Wait(ctx) returns ctx.Err() and cancels its reservation (Reservation.Cancel).
    const SiteRuntime& site = sites_[record.site];
    views_[view_for(site, record.caller_instance)].limiter.cancel(site.policy->rate_limit, now_, record.rate_act_ns);
  }
  if (record.state == CallState::waiting || record.state == CallState::bulkhead_wait ||
      record.state == CallState::bulkhead_granted || record.state == CallState::rate_wait) {
    send_cancel(record);
    end_attempt(call, Outcome::cancelled);
  } else {
    ++results_.sites[record.site].cancelled;  // cancelled during its backoff or its fallback
  }
  finish_call(call, Outcome::cancelled);
}

void Engine::on_retry(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::backoff || record.token != token) return;
  if (record.caller == CallerKind::work && works_[record.parent].token != record.parent_token) {
    complete_call(call, Outcome::error);  // the caller died during the backoff: no retry
    return;
  }
  send_attempt(call);
}

// Closes the current attempt's books: the site's counters, the breaker, the balancer's
// outstanding count and outlier detection.
void Engine::end_attempt(std::uint32_t call, Outcome outcome) {
  CallRecord& record = calls_[call];
  SiteRuntime& site = sites_[record.site];
  count_site_attempt_end(record, outcome);
  if (record.breaker != kNone) report_to_breaker(record, site, outcome);
  if (record.instance != kNone) {
    const std::uint32_t view = view_for(site, record.caller_instance);
    PeerState& peer = peer_state_[views_[view].peer_offset + instances_[record.instance].index_in_service];
    assert(peer.outstanding > 0);
    --peer.outstanding;
    if (site.policy->outlier.enabled && outcome != Outcome::cancelled) {
      note_outlier_result(site, view, record.instance, outcome);
    }
    record.instance = kNone;
  }
  record.work = kNone;
  if (record.holds_permit) release_bulkhead_permit(record);
  if (!succeeded(outcome)) count_attempt_failure(site.callee_service, outcome);
}

// Tells the attempt's breaker how it ended.
void Engine::report_to_breaker(CallRecord& record, const SiteRuntime& site, Outcome outcome) {
  Breaker& breaker = breakers_[record.breaker];
  // The cause names a refused connection where this call tells it from an error.
  breaker_report_ = {true, record.instance, site.policy->names_connection_refused ? outcome : counted_as(outcome),
                     breaker.counts()};
  const bool failure = (site.policy->breaker.failure_mask & outcome_bit(outcome)) != 0;
  breaker.after_request(now_, record.breaker_generation, !failure);
  breaker_report_.active = false;
  record.breaker = kNone;
}

void Engine::attempt_done(std::uint32_t call, Outcome outcome) {
  const std::uint32_t last_instance = calls_[call].instance;
  end_attempt(call, outcome);
  CallRecord& record = calls_[call];
  SiteRuntime& site = sites_[record.site];
  // A caller that died meanwhile (its instance crashed) makes no more attempts, nor does one
  // whose propagated deadline has passed.
  const bool caller_gone = record.caller == CallerKind::work && works_[record.parent].token != record.parent_token;
  const bool deadline_passed = site.policy->deadline_propagation && record.deadline_ns <= now_;
  const RetryPolicy& retry = site.policy->retry;
  if (!succeeded(outcome) && !caller_gone && !deadline_passed && record.attempts < retry.max_attempts &&
      (retry.retry_on_mask & outcome_bit(outcome)) != 0 && take_retry_token(site)) {
    ++results_.sites[record.site].retries;
    ++results_.services[site.callee_service].totals.retries;
    ++results_.services[site.callee_service].series[current_bucket_].counts.retries;
    if (site.caller_client != kNone) {
      ++results_.clients[site.caller_client].totals.retries;
      ++results_.clients[site.caller_client].series[current_bucket_].counts.retries;
    }
    TimeNs delay = backoff_delay(site, record.attempts, site.rng);
    if (outcome == Outcome::rate_limited && retry.honour_retry_after && last_instance != kNone) {
      // The 429 said when to come back (Retry-After); the backoff applies if it is longer.
      const TimeNs retry_after = config_.services[site.callee_service].rate_limit.retry_after_ns;
      if (retry_after > delay) delay = retry_after;
    }
    if (delay == 0) {
      send_attempt(call);
    } else {
      record.state = CallState::backoff;
      queue_.push(later(now_, delay), kRetry, call, record.token);
    }
    return;
  }
  complete_call(call, outcome);
}

// Counts how an attempt ended on its call site. A rejection with no instance chosen is the
// caller's own breaker refusing (short-circuited); with one, the callee refused (shed).
void Engine::count_site_attempt_end(const CallRecord& record, Outcome outcome) {
  CallSiteCounters& counters = results_.sites[record.site];
  switch (outcome) {
    case Outcome::ok: ++counters.ok; break;
    case Outcome::error: ++counters.errors; break;
    case Outcome::connection_refused:
      ++counters.errors;
      ++counters.connection_refused;
      break;
    case Outcome::timeout: ++counters.timeouts; break;
    case Outcome::rejected: ++(record.instance == kNone ? counters.short_circuited : counters.shed); break;
    case Outcome::unavailable: ++counters.unavailable; break;
    case Outcome::cancelled: ++counters.cancelled; break;
    case Outcome::rate_limited: ++(record.instance == kNone ? counters.throttled : counters.rate_limited); break;
    case Outcome::bulkhead_full: ++counters.bulkhead_full; break;
    case Outcome::degraded:
      ++counters.ok;
      ++counters.degraded;
      break;
  }
}

bool Engine::take_retry_token(SiteRuntime& site) {
  return site.budget.try_withdraw(now_);
}

TimeNs Engine::backoff_delay(const SiteRuntime& site, std::uint32_t retry_number, Rng& rng) {
  return retry_backoff_ns(site.policy->retry, retry_number, rng);
}

// A call ended: with its fallback's answer instead if it failed in a way its fallback covers
// (not each attempt of a hedged call: the hedged call as a whole).
void Engine::complete_call(std::uint32_t call, Outcome outcome) {
  CallRecord& record = calls_[call];
  SiteRuntime& site = sites_[record.site];
  const Fallback& fallback = site.policy->fallback;
  if (fallback.enabled && record.caller != CallerKind::hedge && !succeeded(outcome) &&
      (fallback.on_mask & outcome_bit(outcome)) != 0) {
    ++results_.sites[record.site].fallbacks;
    const TimeNs latency = sample(fallback.latency, site.rng);
    if (latency > 0) {
      record.state = CallState::fallback;
      record.token = next_token_++;
      queue_.push(later(now_, latency), kFallbackDone, call, record.token);
      return;
    }
    outcome = Outcome::degraded;
  }
  finish_call(call, outcome);
}

void Engine::on_fallback_done(std::uint32_t call, std::uint32_t token) {
  const CallRecord& record = calls_[call];
  if (record.state != CallState::fallback || record.token != token) return;
  finish_call(call, Outcome::degraded);
}

// Frees the call, then tells its caller. The caller may start a call at once that takes the
// freed slot, so what it needs is read out first.
void Engine::finish_call(std::uint32_t call, Outcome outcome) {
  const CallRecord& record = calls_[call];
  const SiteRuntime& site = sites_[record.site];
  const CallerKind caller = record.caller;
  const std::uint32_t parent = record.parent;
  const std::uint32_t parent_token = record.parent_token;
  const TimeNs latency_ns = now_ - record.started_ns;
  if (caller == CallerKind::work && config_.services[site.caller_service].honours_cancellation) {
    unlink_child(record, call);
  }
  free_call(call);
  switch (caller) {
    case CallerKind::client:
      FAULTLINE_ASSERT(clients_[parent].outstanding > 0);
      --clients_[parent].outstanding;
      count_client(parent, outcome, latency_ns);
      break;
    case CallerKind::process:
      FAULTLINE_ASSERT(clients_[site.caller_client].outstanding > 0);
      --clients_[site.caller_client].outstanding;
      count_client(site.caller_client, outcome, latency_ns);
      processes_->complete(parent, outcome);
      break;
    case CallerKind::hedge: hedge_done(parent, parent_token, call, outcome); break;
    case CallerKind::work: child_done(parent, parent_token, outcome, site.required); break;
  }
}

// Removes a completed call from its parent work's outstanding calls (kept only by services
// that honour cancellation). A parent that died meanwhile keeps no list worth mending.
void Engine::unlink_child(const CallRecord& record, std::uint32_t call) {
  WorkRecord& parent = works_[record.parent];
  if (parent.token != record.parent_token) return;
  std::uint32_t* link = &parent.first_child;
  while (*link != kNone && *link != call) link = &calls_[*link].next_sibling;
  if (*link == call) *link = record.next_sibling;
}

void Engine::note_outlier_result(const SiteRuntime& site, std::uint32_t view_index, std::uint32_t instance,
                                 Outcome outcome) {
  const OutlierDetection& od = site.policy->outlier;
  CallerView& view = views_[view_index];
  const std::uint32_t slot = instances_[instance].index_in_service;
  PeerState& peer = peer_state_[view.peer_offset + slot];
  if (succeeded(outcome)) {
    peer.consecutive_errors = 0;
    return;
  }
  if (++peer.consecutive_errors < od.consecutive_errors) return;
  peer.consecutive_errors = 0;
  if (peer.ejected_until_ns > now_) return;
  const std::uint32_t total = services_[site.callee_service].instance_count;
  // As Envoy: eject while the ejected share stays below the maximum (so at least one can go).
  if (static_cast<double>(view.ejected) >= od.max_ejection_ratio * static_cast<double>(total)) return;
  ++peer.times_ejected;
  peer.ejected_until_ns = later(now_, times_ns(od.base_ejection_ns, peer.times_ejected));
  ++view.ejected;
  ++results_.services[site.callee_service].ejections;
  record_timeline(TimelineKind::ejection, view.site, instance, view.caller_instance);
  queue_.push(peer.ejected_until_ns, kEjectionEnd, view_index, slot);
}

void Engine::on_ejection_end(std::uint32_t view_index, std::uint32_t slot) {
  CallerView& view = views_[view_index];
  PeerState& peer = peer_state_[view.peer_offset + slot];
  if (peer.ejected_until_ns > now_ || view.ejected == 0) return;
  --view.ejected;
  record_timeline(TimelineKind::ejection_end, view.site, services_[sites_[view.site].callee_service].first_instance + slot,
                  view.caller_instance);
}

// Picks an instance from the caller's own view with the site's balancing policy.
std::uint32_t Engine::pick_instance(const SiteRuntime& site, CallerView& view, std::uint32_t caller_zone) {
  if (site.policy->load_balancer == LoadBalancer::round_robin && view.ejected == 0 && view.size > 0) {
    // Every instance of the view is usable: round robin takes the next (no input to build).
    return next_in_rotation({view_members_.data() + view.members_offset, view.size}, view.round_robin);
  }
  BalancerInput input;
  input.view = {view_members_.data() + view.members_offset, view.size};
  input.peers = {peer_state_.data() + view.peer_offset, services_[site.callee_service].instance_count};
  input.instances = instances_;
  input.ejected = view.ejected;
  input.now_ns = now_;
  input.caller_zone = caller_zone;
  input.zone_aware_min_local_ratio = site.policy->zone_aware_min_local_ratio;
  input.round_robin = &view.round_robin;
  input.rng = const_cast<Rng*>(&site.rng);
  return sim::pick_instance(site.policy->load_balancer, input);
}

}  // namespace faultline::sim
