// Retry policy arithmetic shared by the engine and the live load generator: the backoff before
// a retry and Finagle's retry budget. One copy, so live mode retries as the model does.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

// The delay before retry number `retry_number` (1 = the first retry): backoff_base doubled (by
// backoff_multiplier) per further retry, capped at backoff_max, then jittered.
TimeNs retry_backoff_ns(const RetryPolicy& retry, std::uint32_t retry_number, Rng& rng);

// One retry budget, as Finagle's RetryBudget (TokenRetryBudget over a leaky token bucket):
//   - a request (a first attempt) deposits 1000 tokens; a retry withdraws 1000 / ratio tokens
//     (truncated to an integer, as Finagle does), so about `ratio` of the requests may be retried;
//   - deposits and withdrawals expire after the ttl (Finagle's default, 10 s), kept in ten
//     slices of 1 s aligned to simulated time 0: an amount counts until the slice it fell in is
//     ten slices old, so it lives between 9 and 10 s;
//   - a constant reserve of `min_retries_per_s * 10 s` retries is always there on top, for
//     callers that have just started or send little.
// There is no other cap: the balance is the reserve plus the last ttl's deposits less its
// withdrawals. A ratio of 0 deposits nothing and a retry costs 1 token, so only the reserve is
// spent (Finagle's rule). A disabled budget allows every retry. Integer tokens: no float drift.
// This one class is the retry budget of the engine and of the live load generator.
class RetryBudgetState {
 public:
  static constexpr TimeNs kTtlNs = 10 * kSecond;
  static constexpr std::size_t kSlices = 10;
  static constexpr TimeNs kSliceNs = kTtlNs / static_cast<TimeNs>(kSlices);
  static constexpr std::int64_t kDepositTokens = 1000;  // Finagle's ScaleFactor

  RetryBudgetState() = default;  // disabled
  explicit RetryBudgetState(const RetryBudget& budget);

  // A request (a first attempt) was sent at `now`.
  void deposit(TimeNs now);
  // A retry wants to go at `now`: true, and the tokens are withdrawn, when the balance allows.
  bool try_withdraw(TimeNs now);
  // The retries the budget would allow at `now` (Finagle's `balance`).
  std::int64_t balance(TimeNs now);

 private:
  // Empties the slices that have left the window since the last call.
  void expire(TimeNs now);
  std::int64_t tokens() const;

  bool enabled_ = false;
  std::int64_t deposit_tokens_ = 0;
  std::int64_t withdrawal_tokens_ = 1;
  std::int64_t reserve_tokens_ = 0;
  std::array<std::int64_t, kSlices> slices_{};
  std::int64_t current_slice_ = 0;  // the slice `now` fell in at the last call, counted from time 0
};

}  // namespace faultline::sim
