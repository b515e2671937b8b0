// Finagle's retry budget: deposits and withdrawals in a sliding window of ttl plus a reserve.
#include "sim/retry_budget.hpp"

#include <cmath>

namespace faultline::sim {

namespace {
constexpr TimeNs kSliceNs = RetryBudgetState::kTtlNs / RetryBudgetState::kSlices;
}

RetryBudgetState::RetryBudgetState(double ratio, double min_retries_per_s) {
  // Finagle: withdrawalAmount = depositAmount / percentCanRetry (an integer); a ratio of 0
  // allows no retries beyond the reserve.
  withdrawal_amount_ = ratio > 0 ? static_cast<std::int64_t>(static_cast<double>(kDepositAmount) / ratio)
                                 : std::int64_t{1} << 50;
  if (withdrawal_amount_ < 1) withdrawal_amount_ = 1;
  const double reserve_retries = min_retries_per_s * static_cast<double>(kTtlNs / kSecond);
  reserve_ = static_cast<std::int64_t>(std::floor(reserve_retries)) * withdrawal_amount_;
}

void RetryBudgetState::expire(TimeNs now) {
  const std::int64_t slice = now / kSliceNs;
  if (slice <= current_slice_) return;
  const std::int64_t passed = slice - current_slice_;
  if (passed >= static_cast<std::int64_t>(kSlices)) {
    slices_.fill(0);
  } else {
    for (std::int64_t s = current_slice_ + 1; s <= slice; ++s) slices_[static_cast<std::size_t>(s % kSlices)] = 0;
  }
  current_slice_ = slice;
}

std::int64_t RetryBudgetState::window_sum() const {
  std::int64_t sum = 0;
  for (std::int64_t value : slices_) sum += value;
  return sum;
}

void RetryBudgetState::deposit(TimeNs now) {
  expire(now);
  slices_[static_cast<std::size_t>(current_slice_ % kSlices)] += kDepositAmount;
}

bool RetryBudgetState::try_withdraw(TimeNs now) {
  expire(now);
  if (window_sum() + reserve_ < withdrawal_amount_) return false;
  slices_[static_cast<std::size_t>(current_slice_ % kSlices)] -= withdrawal_amount_;
  return true;
}

std::int64_t RetryBudgetState::balance(TimeNs now) {
  expire(now);
  const std::int64_t total = window_sum() + reserve_;
  return total > 0 ? total / withdrawal_amount_ : 0;
}

}  // namespace faultline::sim
