// A retry budget, written once, as Finagle's RetryBudget documents and implements it
// (com.twitter.finagle.service.TokenRetryBudget over a LeakyTokenBucket):
//   - every request deposits; a retry withdraws `1 / ratio` deposits' worth, so about `ratio`
//     of the requests may be retried;
//   - deposits and withdrawals expire after `ttl` (10 s, Finagle's default), kept in a window
//     of ten slices, so the budget reflects the last ttl of traffic, not all of history;
//   - a constant reserve of `min_retries_per_s * ttl` retries is always there on top, for
//     callers that have just started or send little.
// There is no other cap: the balance is bounded by the reserve plus `ratio` times the requests
// of the last ttl. Integer token amounts (1000 per deposit) as in Finagle, so no float drift.
#pragma once
#include <array>
#include <cstdint>

#include "sim/time.hpp"

namespace faultline::sim {

class RetryBudgetState {
 public:
  static constexpr TimeNs kTtlNs = 10 * kSecond;
  static constexpr std::size_t kSlices = 10;
  static constexpr std::int64_t kDepositAmount = 1000;

  RetryBudgetState() = default;
  RetryBudgetState(double ratio, double min_retries_per_s);

  // A request (a first attempt) was sent.
  void deposit(TimeNs now);
  // A retry wants to go: true (and withdraws) when the balance allows one.
  bool try_withdraw(TimeNs now);
  // Retries the budget would allow now (for tests and the GUI).
  std::int64_t balance(TimeNs now);

 private:
  void expire(TimeNs now);
  std::int64_t window_sum() const;

  std::int64_t withdrawal_amount_ = kDepositAmount;
  std::int64_t reserve_ = 0;
  std::array<std::int64_t, kSlices> slices_{};
  std::int64_t current_slice_ = 0;  // index of the slice `now` falls in, as a running count
};

}  // namespace faultline::sim
