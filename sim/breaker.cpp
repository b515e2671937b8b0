// The gobreaker state machine: expiry, generations, admission and the per-state result rules.
#include "sim/breaker.hpp"

namespace faultline::sim {

namespace {

// now + duration without overflowing past kNever, so a huge timeout means "not within the run".
TimeNs add_saturating(TimeNs now, TimeNs duration) { return later(now, duration); }

}  // namespace

const char* breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::half_open: return "half-open";
    case BreakerState::open: return "open";
  }
  return "unknown";
}

Breaker::Breaker(const BreakerPolicy& policy, TimeNs created_at)
    : max_requests_(policy.max_requests == 0 ? 1 : policy.max_requests),
      interval_ns_(policy.interval_ns <= 0 ? 0 : policy.interval_ns),
      timeout_ns_(policy.timeout_ns <= 0 ? 60 * kSecond : policy.timeout_ns),
      trip_(policy.trip),
      trip_consecutive_failures_(policy.consecutive_failures),
      trip_failure_ratio_(policy.failure_ratio),
      trip_min_requests_(policy.min_requests) {
  // gobreaker's constructor starts generation 1 rather than leaving generation 0, and sets the
  // first closed-interval expiry from the creation time.
  generation_ = 0;
  start_generation(created_at);
}

void Breaker::attach(std::uint32_t breaker_id, BreakerListener* listener) {
  id_ = breaker_id;
  listener_ = listener;
}

Breaker::Admission Breaker::before_request(TimeNs now) {
  apply_expiry(now);
  if (state_ == BreakerState::open) return {Rejection::open, generation_};
  // Half-open admits at most max_requests per generation; Requests is never cleared within it,
  // so a finished probe does not free a slot for another.
  if (state_ == BreakerState::half_open && counts_.requests >= max_requests_) {
    return {Rejection::too_many_requests, generation_};
  }
  ++counts_.requests;
  return {Rejection::none, generation_};
}

void Breaker::after_request(TimeNs now, std::uint64_t generation, bool success) {
  apply_expiry(now);
  if (generation != generation_) return;
  if (success) {
    on_success(now);
  } else {
    on_failure(now);
  }
}

BreakerState Breaker::state(TimeNs now) {
  apply_expiry(now);
  return state_;
}

// gobreaker's currentState: expiry is compared with Before, so nothing happens at exactly the
// expiry instant. A closed breaker's new interval starts from `now`, not from the old expiry.
void Breaker::apply_expiry(TimeNs now) {
  switch (state_) {
    case BreakerState::closed:
      if (expiry_ns_ != kNever && expiry_ns_ < now) start_generation(now);
      break;
    case BreakerState::open:
      if (expiry_ns_ < now) set_state(BreakerState::half_open, now);
      break;
    case BreakerState::half_open:
      break;
  }
}

void Breaker::on_success(TimeNs now) {
  switch (state_) {
    case BreakerState::closed:
      ++counts_.total_successes;
      ++counts_.consecutive_successes;
      counts_.consecutive_failures = 0;
      break;
    case BreakerState::half_open:
      ++counts_.total_successes;
      ++counts_.consecutive_successes;
      counts_.consecutive_failures = 0;
      if (counts_.consecutive_successes >= max_requests_) set_state(BreakerState::closed, now);
      break;
    case BreakerState::open:
      // Only reachable by reporting a rejected admission; gobreaker ignores it too.
      break;
  }
}

void Breaker::on_failure(TimeNs now) {
  switch (state_) {
    case BreakerState::closed:
      ++counts_.total_failures;
      ++counts_.consecutive_failures;
      counts_.consecutive_successes = 0;
      if (ready_to_trip()) set_state(BreakerState::open, now);
      break;
    case BreakerState::half_open:
      set_state(BreakerState::open, now);
      break;
    case BreakerState::open:
      break;
  }
}

// gobreaker's ReadyToTrip, consulted only after a failure while closed.
bool Breaker::ready_to_trip() const {
  switch (trip_) {
    case TripRule::consecutive_failures:
      return counts_.consecutive_failures > trip_consecutive_failures_;
    case TripRule::failure_ratio:
      if (counts_.requests == 0 || counts_.requests < trip_min_requests_) return false;
      return static_cast<double>(counts_.total_failures) / static_cast<double>(counts_.requests) >=
             trip_failure_ratio_;
  }
  return false;
}

void Breaker::set_state(BreakerState to, TimeNs now) {
  if (state_ == to) return;
  const BreakerState from = state_;
  state_ = to;
  if (to == BreakerState::open) ++opens_;
  start_generation(now);
  if (listener_ != nullptr) listener_->on_breaker_transition(id_, now, from, to);
}

void Breaker::start_generation(TimeNs now) {
  ++generation_;
  counts_ = BreakerCounts{};
  switch (state_) {
    case BreakerState::closed:
      expiry_ns_ = interval_ns_ == 0 ? kNever : add_saturating(now, interval_ns_);
      break;
    case BreakerState::open:
      expiry_ns_ = add_saturating(now, timeout_ns_);
      break;
    case BreakerState::half_open:
      expiry_ns_ = kNever;
      break;
  }
}

}  // namespace faultline::sim
