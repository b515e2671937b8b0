// Retry backoff and Finagle's retry budget (see sim/retry.hpp).
#include "sim/retry.hpp"

#include <algorithm>

namespace faultline::sim {

TimeNs retry_backoff_ns(const RetryPolicy& retry, std::uint32_t retry_number, Rng& rng) {
  if (retry.backoff_base_ns <= 0) return 0;
  double delay = static_cast<double>(retry.backoff_base_ns);
  for (std::uint32_t i = 1; i < retry_number; ++i) {
    delay *= retry.backoff_multiplier;
    if (retry.backoff_max_ns > 0 && delay >= static_cast<double>(retry.backoff_max_ns)) break;
    if (delay > 1e18) break;
  }
  if (retry.backoff_max_ns > 0 && delay > static_cast<double>(retry.backoff_max_ns)) {
    delay = static_cast<double>(retry.backoff_max_ns);
  }
  switch (retry.jitter) {
    case Jitter::none: break;
    case Jitter::full: delay = rng.uniform01() * delay; break;
    case Jitter::equal: delay = 0.5 * delay + rng.uniform01() * 0.5 * delay; break;
  }
  return ns_from_double(delay);
}

namespace {
// Token amounts from the scenario's doubles, at most kMaxTokens: a retry costing more than
// any run could deposit is never allowed, and a reserve that large never runs out, so the cap
// changes nothing a run can show, while the sums of tokens stay far inside int64 (an extreme
// ratio or min_per_second would otherwise convert infinity, which is undefined).
constexpr double kMaxTokens = 1e15;
std::int64_t tokens_from(double amount) {
  if (!(amount < kMaxTokens)) return static_cast<std::int64_t>(kMaxTokens);
  return amount > 0 ? static_cast<std::int64_t>(amount) : 0;
}
}  // namespace

RetryBudgetState::RetryBudgetState(const RetryBudget& budget) : enabled_(budget.enabled) {
  if (budget.ratio > 0) {
    deposit_tokens_ = kDepositTokens;
    // At least 1: a ratio above kDepositTokens makes a retry cost one token.
    withdrawal_tokens_ = std::max<std::int64_t>(1, tokens_from(static_cast<double>(kDepositTokens) / budget.ratio));
  }
  // Finagle: reserve = minRetriesPerSec * ttl (in seconds) * withdrawalAmount.
  reserve_tokens_ = tokens_from(budget.min_retries_per_s * static_cast<double>(kTtlNs / kSecond) *
                                static_cast<double>(withdrawal_tokens_));
}

void RetryBudgetState::expire(TimeNs now) {
  const std::int64_t slice = now / kSliceNs;
  if (slice <= current_slice_) return;
  if (slice - current_slice_ >= static_cast<std::int64_t>(kSlices)) {
    slices_.fill(0);
  } else {
    for (std::int64_t s = current_slice_ + 1; s <= slice; ++s) slices_[static_cast<std::size_t>(s) % kSlices] = 0;
  }
  current_slice_ = slice;
}

std::int64_t RetryBudgetState::tokens() const {
  std::int64_t sum = reserve_tokens_;
  for (const std::int64_t amount : slices_) sum += amount;
  return sum;
}

void RetryBudgetState::deposit(TimeNs now) {
  if (!enabled_) return;
  expire(now);
  slices_[static_cast<std::size_t>(current_slice_) % kSlices] += deposit_tokens_;
}

bool RetryBudgetState::try_withdraw(TimeNs now) {
  if (!enabled_) return true;
  expire(now);
  if (tokens() < withdrawal_tokens_) return false;
  slices_[static_cast<std::size_t>(current_slice_) % kSlices] -= withdrawal_tokens_;
  return true;
}

std::int64_t RetryBudgetState::balance(TimeNs now) {
  expire(now);
  return tokens() / withdrawal_tokens_;
}

}  // namespace faultline::sim
