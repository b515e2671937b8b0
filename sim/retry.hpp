// Retry policy arithmetic shared by the engine and the live load generator: the backoff before
// a retry and the Finagle-style retry budget. One copy, so live mode retries as the model does.
#pragma once
#include <cstdint>

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

// The delay before retry number `retry_number` (1 = the first retry): backoff_base doubled (by
// backoff_multiplier) per further retry, capped at backoff_max, then jittered.
TimeNs retry_backoff_ns(const RetryPolicy& retry, std::uint32_t retry_number, Rng& rng);

// The token bucket of one retry budget (see RetryBudget).
struct RetryBudgetState {
  double tokens = 0;
  TimeNs updated_ns = 0;

  // A full bucket at time 0, as a caller starts.
  static RetryBudgetState initial(const RetryBudget& budget);
  // A first attempt at `now` deposits `ratio` tokens (plus the time-based accrual).
  void deposit(const RetryBudget& budget, TimeNs now);
  // A retry at `now` takes one token; false when the bucket holds less than one.
  bool take(const RetryBudget& budget, TimeNs now);
};

}  // namespace faultline::sim
