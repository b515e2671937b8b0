// The callee's side: a request message arrives at an instance, waits in its FIFO queue for a
// worker, is served, runs its downstream steps while holding the worker, and replies.
#include <algorithm>

#include "sim/check.hpp"
#include "sim/engine.hpp"
#include "sim/event_kinds.hpp"

namespace faultline::sim {

bool Engine::inject_error(InstanceRuntime& instance, const WorkRecord& work, bool fail_fast) {
  if (instance.error_ratio <= 0 || instance.errors_fail_fast != fail_fast) return false;
  if (instance.error_operation != kNone && instance.error_operation != work.operation) return false;
  return instance.rng.chance(instance.error_ratio);
}

void Engine::deliver(std::uint32_t work) {
  WorkRecord& w = works_[work];
  InstanceRuntime& instance = instances_[w.instance];
  if (w.state == WorkState::travelling) {
    // A link of limited message rate: messages pass one at a time, the rest wait their turn.
    const TimeNs wait = Network::wait_for_bandwidth(instance.inbound, now_);
    if (wait > 0) {
      w.state = WorkState::queued_on_link;
      queue_.push(now_ + wait, kAttemptArrive, work, w.token);
      return;
    }
  }
  w.arrived_ns = now_;
  ++instance.arrivals;
  count_service_arrival(instance.service);
  if (w.cancelled) {
    // Its caller gave up while the request travelled; the server drops it on arrival.
    ++instance.dropped;
    ++results_.services[instance.service].cancelled;
    free_work(work);
    return;
  }
  switch (instance.status) {
    case InstanceStatus::crashed:
    case InstanceStatus::stopped:
    case InstanceStatus::draining:
      // Nothing listens (or it refuses new work): the connection is refused at once. The
      // server counts an error; the caller learns the request was never processed.
      w.outcome = Outcome::connection_refused;
      count_service(instance.service, Outcome::error, 0);
      send_reply(work);
      return;
    case InstanceStatus::hung:
      // Accepted and never answered: the caller's timeout is its only way out.
      ++instance.dropped;
      free_work(work);
      return;
    case InstanceStatus::up:
    case InstanceStatus::paused: break;
  }
  const RateLimit& limit = config_.services[instance.service].rate_limit;
  if (limit.enabled && !instance.limiter.take(limit, now_)) {
    // Over the instance's rate limit: answered 429 at once, with its Retry-After.
    w.outcome = Outcome::rate_limited;
    ++results_.services[instance.service].rate_limited;
    count_service(instance.service, Outcome::rate_limited, 0);
    send_reply(work);
    return;
  }
  if (inject_error(instance, w, true)) {
    w.outcome = Outcome::error;
    count_service(instance.service, Outcome::error, 0);
    send_reply(work);
    return;
  }
  const ServiceConfig& config = config_.services[instance.service];
  if (config.adaptive.enabled) {
    // The adaptive concurrency limit: beyond it, refused at once (Envoy's and Netflix's 503).
    if (instance.admitted >= instance.concurrency_limit) {
      w.outcome = Outcome::rejected;
      ++results_.services[instance.service].shed_concurrency;
      count_service(instance.service, Outcome::rejected, 0);
      send_reply(work);
      return;
    }
    w.admitted = true;
    w.inflight_at_admission = ++instance.admitted;
  }
  if (instance.status == InstanceStatus::up && instance.busy < instance.workers) {
    start_service(work);
  } else if (instance.queue.size() - instance.cancelled_queued < instance.queue_capacity) {
    w.state = WorkState::queued;
    instance.queue.push(work);
  } else {
    leave_concurrency_limit(w, true, true);
    w.outcome = Outcome::rejected;
    count_service(instance.service, Outcome::rejected, 0);
    send_reply(work);
  }
}

// A worker takes the work, unless its caller already gave up on it: cancelled work, and with
// drop_expired work whose deadline has passed, is dropped unserved. Returns whether it started.
bool Engine::start_service(std::uint32_t work) {
  WorkRecord& w = works_[work];
  InstanceRuntime& instance = instances_[w.instance];
  if (w.cancelled) {
    if (w.state == WorkState::queued) --instance.cancelled_queued;
    ++instance.dropped;
    ++results_.services[instance.service].cancelled;
    leave_concurrency_limit(w, false, false);
    free_work(work);
    return false;
  }
  const ServiceConfig& config = config_.services[instance.service];
  if (w.deadline_ns <= now_ && config.drop_expired) {
    ++instance.dropped;
    ++results_.services[instance.service].expired;
    leave_concurrency_limit(w, true, true);
    free_work(work);
    return false;
  }
  if (config.queue_timeout_ns > 0 && now_ - w.arrived_ns > config.queue_timeout_ns) {
    // Waited too long: refused at once instead of served (a 503 its caller can retry elsewhere).
    ++results_.services[instance.service].shed_queue_timeout;
    leave_concurrency_limit(w, true, true);
    w.outcome = Outcome::rejected;
    count_service(instance.service, Outcome::rejected, 0);
    send_reply(work);
    return false;
  }
  FAULTLINE_ASSERT(instance.busy < instance.workers);  // a worker is free
  ++instance.busy;
  w.state = WorkState::in_service;
  results_.services[instance.service].queue_wait.record(now_ - w.arrived_ns);
  const OperationRuntime& op = operations_[w.operation];
  TimeNs duration = sample(op.config->service_time, instance.rng);
  double factor = instance.slowdown * services_[instance.service].slowdown;
  if (instance.warm_until_ns > now_) factor *= instance.warm_factor;
  if (factor != 1.0) duration = scaled_ns(duration, factor);
  queue_.push(later(now_, duration), kServiceDone, work, w.token);
  return true;
}

void Engine::on_service_done(std::uint32_t work, std::uint32_t token) {
  WorkRecord& w = works_[work];
  if (w.token != token) return;  // killed by a crash meanwhile
  InstanceRuntime& instance = instances_[w.instance];
  if (instance.status == InstanceStatus::paused) {
    // Stop-the-world: the work finishes when the pause is over.
    queue_.push(instance.paused_until_ns > now_ ? instance.paused_until_ns : now_, kServiceDone, work, token);
    return;
  }
  if (instance.status == InstanceStatus::hung) {
    // A hung process never answers; its worker is stuck with the request until the hang ends.
    w.state = WorkState::stuck;
    return;
  }
  if (w.cancelled) {
    abandon_work(work);  // its caller gave up: it stops before its downstream steps
    return;
  }
  if (inject_error(instance, w, false)) {
    finish_work(work, Outcome::error);
    return;
  }
  w.step = 0;
  advance_steps(work);
}

// Runs the operation's steps from the current one. Each step's calls start together; the
// count of pending calls carries one extra "guard" while they are being started, so a call
// that completes at once cannot finish the step before its siblings have started.
void Engine::advance_steps(std::uint32_t work) {
  const OperationRuntime& op = operations_[works_[work].operation];
  while (works_[work].step < op.step_count) {
    const StepRuntime& step = steps_[op.first_step + works_[work].step];
    works_[work].state = WorkState::waiting_children;
    works_[work].pending = step.site_count + 1;
    const std::uint32_t token = works_[work].token;
    const std::uint32_t instance = works_[work].instance;
    for (std::uint32_t k = 0; k < step.site_count; ++k) {
      const std::uint32_t site = step.first_site + k;
      if (sites_[site].probability < 1.0 && !instances_[instance].rng.chance(sites_[site].probability)) {
        --works_[work].pending;
        continue;
      }
      start_call(site, CallerKind::work, work, token, instance, sites_[site].callee_operation);
    }
    if (--works_[work].pending > 0) return;  // wait for the calls
    if (works_[work].failed) {
      finish_work(work, Outcome::error);
      return;
    }
    ++works_[work].step;
  }
  finish_work(work, works_[work].degraded ? Outcome::degraded : Outcome::ok);
}

void Engine::child_done(std::uint32_t work, std::uint32_t token, Outcome outcome, bool required) {
  WorkRecord& w = works_[work];
  if (w.token != token || w.state != WorkState::waiting_children) return;  // the caller died meanwhile
  if (w.cancelled) {
    if (--w.pending == 0) abandon_work(work);
    return;
  }
  if (!succeeded(outcome) && required) w.failed = true;
  if (outcome == Outcome::degraded) w.degraded = true;
  if (--w.pending > 0) return;
  if (w.failed) {
    finish_work(work, Outcome::error);
    return;
  }
  ++w.step;
  advance_steps(work);
}

void Engine::finish_work(std::uint32_t work, Outcome outcome) {
  WorkRecord& w = works_[work];
  InstanceRuntime& instance = instances_[w.instance];
  if (instance.status == InstanceStatus::hung) {
    // Its downstream calls came back, but a hung process answers nothing: the worker stays
    // stuck with the request until the hang ends.
    w.state = WorkState::stuck;
    return;
  }
  w.outcome = outcome;
  leave_concurrency_limit(w, true, !succeeded(outcome));
  ++instance.served;
  count_service(instance.service, outcome, now_ - w.arrived_ns);
  release_worker(instance);
  send_reply(work);
}

void Engine::release_worker(InstanceRuntime& instance) {
  FAULTLINE_ASSERT(instance.busy > 0);
  --instance.busy;
  if (instance.status != InstanceStatus::up && instance.status != InstanceStatus::draining) return;
  while (!instance.queue.empty() && instance.busy < instance.workers) start_service(next_queued(instance));
  if (instance.status == InstanceStatus::draining && instance.busy == 0 && instance.queue.empty()) {
    set_instance_status(static_cast<std::uint32_t>(&instance - instances_.data()), InstanceStatus::stopped);
  }
}

void Engine::send_reply(std::uint32_t work) {
  WorkRecord& w = works_[work];
  w.state = WorkState::replying;
  ++instances_[w.instance].answered;
  if (max_spans_ > 0 && now_ >= span_from_ns_ && w.arrived_ns < span_to_ns_) {
    if (results_.spans.size() < max_spans_) {
      results_.spans.push_back(
          {w.arrived_ns, now_, w.instance, w.operation, static_cast<std::uint8_t>(counted_as(w.outcome))});
    } else {
      ++results_.spans_dropped;
    }
  }
  InstanceRuntime& instance = instances_[w.instance];
  bool lost = false;
  const TimeNs delay = network_.message_delay(now_, instance.zone, w.caller_zone, nullptr, nullptr, instance.rng, lost);
  if (lost) {
    free_work(work);
  } else if (delay == 0) {
    on_reply(work, w.token);
  } else {
    queue_.push(later(now_, delay), kReplyArrive, work, w.token);
  }
}

void Engine::on_reply(std::uint32_t work, std::uint32_t token) {
  const WorkRecord& w = works_[work];
  if (w.token != token) return;
  const std::uint32_t call = w.call;
  const Outcome outcome = w.outcome;
  const bool current = calls_[call].state == CallState::waiting && calls_[call].token == w.call_token;
  free_work(work);
  if (current) attempt_done(call, outcome);  // otherwise a late reply to an abandoned attempt
}

void Engine::crash_instance(std::uint32_t index, std::uint32_t cause, bool reset_connections) {
  InstanceRuntime& instance = instances_[index];
  if (instance.status == InstanceStatus::crashed) return;
  // Queued and in-service work is lost; replies already on the wire still arrive. The status
  // changes first, so a caller that retries at once (after a reset) finds it crashed.
  std::vector<std::uint32_t> lost_work;
  for (std::uint32_t w = 0; w < works_.size(); ++w) {
    const WorkRecord& work = works_[w];
    if (work.instance != index) continue;
    if (work.state == WorkState::queued || work.state == WorkState::in_service ||
        work.state == WorkState::waiting_children || work.state == WorkState::stuck) {
      lost_work.push_back(w);
    }
  }
  instance.queue.clear();
  instance.cancelled_queued = 0;
  instance.admitted = 0;
  for (std::uint32_t w : lost_work) works_[w].admitted = false;
  instance.busy = 0;
  instance.status = InstanceStatus::crashed;
  instance.down_since_ns = now_;
  instance.down_cause = cause;
  ++instance.crash_count;
  record_timeline(TimelineKind::instance_state, index, static_cast<std::uint32_t>(InstanceStatus::crashed),
                  cause == kNone ? 0 : cause + 1);
  for (std::uint32_t w : lost_work) {
    if (!reset_connections || works_[w].cancelled) {
      ++instance.dropped;
      free_work(w);
      continue;
    }
    // Connection reset by peer. A new token voids the work's pending events (its service
    // completion, its children's answers); only the reset travels back.
    works_[w].token = next_token_++;
    works_[w].outcome = Outcome::error;
    count_service(instance.service, Outcome::error, 0);
    send_reply(w);
  }
}

// The next queued work a free worker takes: the oldest, or under adaptive LIFO while more than
// lifo_above wait, the newest (Facebook's adaptive LIFO: fresh requests still have callers).
std::uint32_t Engine::next_queued(InstanceRuntime& instance) {
  const std::uint32_t lifo_above = config_.services[instance.service].lifo_above;
  if (lifo_above != 0xffff'ffffu && instance.queue.size() - instance.cancelled_queued > lifo_above) {
    return instance.queue.pop_back();
  }
  return instance.queue.pop();
}

// A request leaves its instance's adaptive concurrency limit (answered, refused or dropped) and,
// when `sample`, updates the limit with AIMDLimit's rule: a drop or a latency above the timeout
// backs off, a success while at least half the limit was in flight adds one.
void Engine::leave_concurrency_limit(WorkRecord& w, bool sample, bool drop) {
  if (!w.admitted) return;
  w.admitted = false;
  InstanceRuntime& instance = instances_[w.instance];
  FAULTLINE_ASSERT(instance.admitted > 0);
  --instance.admitted;
  if (!sample) return;
  const AdaptiveConcurrency& adaptive = config_.services[instance.service].adaptive;
  std::uint32_t limit = instance.concurrency_limit;
  if (drop || now_ - w.arrived_ns > adaptive.timeout_ns) {
    limit = static_cast<std::uint32_t>(static_cast<double>(limit) * adaptive.backoff_ratio);
  } else if (static_cast<std::uint64_t>(w.inflight_at_admission) * 2 >= limit) {
    ++limit;
  }
  limit = std::min(adaptive.max_limit, std::max(adaptive.min_limit, limit));
  instance.concurrency_limit = limit;
  EntityResults& service = results_.services[instance.service];
  if (limit < service.limit_lowest) service.limit_lowest = limit;
  if (limit > service.limit_highest) service.limit_highest = limit;
}

// A caller's cancellation reaches the work: queued work is dropped when a worker would take it,
// work in service stops when its service time ends, and work waiting on downstream calls
// cancels them and stops.
void Engine::on_cancel_arrive(std::uint32_t work, std::uint32_t token) {
  WorkRecord& w = works_[work];
  if (w.token != token || w.cancelled) return;
  switch (w.state) {
    case WorkState::travelling:
    case WorkState::queued_on_link:
    case WorkState::in_service: w.cancelled = true; break;
    case WorkState::queued:
      w.cancelled = true;
      ++instances_[w.instance].cancelled_queued;
      break;
    case WorkState::waiting_children:
      w.cancelled = true;
      cancel_children(work);
      break;
    case WorkState::free:
    case WorkState::stuck:  // a hung process checks nothing
    case WorkState::replying: break;
  }
}

// Cancels every outstanding downstream call of a work. One extra pending count guards the
// loop, so the work cannot stop before each of its calls has been told.
void Engine::cancel_children(std::uint32_t work) {
  ++works_[work].pending;
  std::uint32_t call = works_[work].first_child;
  while (call != kNone) {
    const std::uint32_t next = calls_[call].next_sibling;
    cancel_call(call);
    call = next;
  }
  if (--works_[work].pending == 0) abandon_work(work);
}

// Stops cancelled work that holds a worker: no reply (nobody waits for one).
void Engine::abandon_work(std::uint32_t work) {
  InstanceRuntime& instance = instances_[works_[work].instance];
  ++instance.dropped;
  ++results_.services[instance.service].cancelled;
  leave_concurrency_limit(works_[work], false, false);
  free_work(work);
  release_worker(instance);
}

void Engine::restart_instance(std::uint32_t index) {
  InstanceRuntime& instance = instances_[index];
  instance.status = InstanceStatus::up;
  instance.concurrency_limit = config_.services[instance.service].adaptive.initial_limit;  // a new process
  instance.down_since_ns = kNever;
  instance.down_cause = kNone;
  record_timeline(TimelineKind::instance_state, index, static_cast<std::uint32_t>(InstanceStatus::up));
  RegistryEntry& entry = registry_[index];
  if (!entry.registered) {
    entry.registered = true;
    entry.consecutive_failures = 0;
    entry.consecutive_passes = 0;
    // Without health checks nothing would ever mark it healthy, so it starts healthy then.
    entry.passing = !config_.discovery.health_checks;
    if (!entry.passing) entry.critical_since_ns = now_;
    registry_set(index, RegistryChange::registered);
  }
}

void Engine::set_instance_status(std::uint32_t index, InstanceStatus status) {
  InstanceRuntime& instance = instances_[index];
  if (instance.status == status) return;
  const InstanceStatus before = instance.status;
  instance.status = status;
  record_timeline(TimelineKind::instance_state, index, static_cast<std::uint32_t>(status));
  if (before != InstanceStatus::crashed && status == InstanceStatus::up) {
    // Back from a pause or a hang: resume queued work onto free workers.
    while (!instance.queue.empty() && instance.busy < instance.workers) {
      start_service(next_queued(instance));
    }
  }
}

void Engine::drain_instance(std::uint32_t index) {
  set_instance_status(index, InstanceStatus::draining);
  const InstanceRuntime& instance = instances_[index];
  if (instance.status == InstanceStatus::draining && instance.busy == 0 && instance.queue.empty()) {
    set_instance_status(index, InstanceStatus::stopped);
  }
}

void Engine::note_traffic_to_crashed(std::uint32_t index) {
  InstanceRuntime& instance = instances_[index];
  const TimeNs lag = now_ - instance.down_since_ns;
  instance.last_arrival_while_down_ns = now_;
  if (lag > instance.max_down_arrival_lag_ns) instance.max_down_arrival_lag_ns = lag;
  if (instance.down_cause == kNone) return;
  if (results_.crash_traffic.size() <= instance.down_cause) results_.crash_traffic.resize(instance.down_cause + 1);
  CrashTraffic& traffic = results_.crash_traffic[instance.down_cause];
  ++traffic.attempts;
  if (lag > traffic.max_lag_ns) {
    traffic.max_lag_ns = lag;
    traffic.instance = index;
  }
}

void Engine::set_workers(std::uint32_t index, std::uint32_t workers) {
  InstanceRuntime& instance = instances_[index];
  instance.workers = workers;
  while (instance.status == InstanceStatus::up && !instance.queue.empty() && instance.busy < instance.workers) {
    start_service(next_queued(instance));
  }
}

}  // namespace faultline::sim

namespace faultline::sim {

void Engine::unhang_instance(std::uint32_t index) {
  if (instances_[index].status != InstanceStatus::hung) return;
  set_instance_status(index, InstanceStatus::up);
  for (std::uint32_t w = 0; w < works_.size(); ++w) {
    if (works_[w].instance == index && works_[w].state == WorkState::stuck) finish_work(w, Outcome::error);
  }
}

void Engine::publish_instance(std::uint32_t index) {
  if (registry_state_.outage) return;
  const RegistryEntry& entry = registry_[index];
  registry_[index].published_healthy = (entry.registered && entry.passing) || entry.stale_pinned;
}

}  // namespace faultline::sim
