// Retry backoff and retry budgets (see sim/retry.hpp).
#include "sim/retry.hpp"

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

RetryBudgetState RetryBudgetState::initial(const RetryBudget& budget) {
  RetryBudgetState state;
  state.tokens = budget.ratio * 10.0 + budget.min_retries_per_s;
  return state;
}

void RetryBudgetState::deposit(const RetryBudget& budget, TimeNs now) {
  if (!budget.enabled) return;
  const double elapsed_s = static_cast<double>(now - updated_ns) / 1e9;
  const double cap = budget.ratio * 100.0 + budget.min_retries_per_s;
  tokens += budget.ratio + budget.min_retries_per_s * elapsed_s;
  if (tokens > cap) tokens = cap;
  updated_ns = now;
}

bool RetryBudgetState::take(const RetryBudget& budget, TimeNs now) {
  if (!budget.enabled) return true;
  const double elapsed_s = static_cast<double>(now - updated_ns) / 1e9;
  const double cap = budget.ratio * 100.0 + budget.min_retries_per_s;
  tokens += budget.min_retries_per_s * elapsed_s;
  if (tokens > cap) tokens = cap;
  updated_ns = now;
  if (tokens < 1.0) return false;
  tokens -= 1.0;
  return true;
}

}  // namespace faultline::sim
