// The retry budget against Finagle's documented RetryBudget: about `ratio` of the requests of
// the last ttl (10 s) may be retried, on top of a reserve of min_retries_per_s * ttl.
#include <catch2/catch.hpp>

#include "sim/retry_budget.hpp"

using faultline::sim::kSecond;
using faultline::sim::RetryBudgetState;

namespace {
int withdraw_all(RetryBudgetState& budget, faultline::sim::TimeNs now) {
  int taken = 0;
  while (budget.try_withdraw(now) && taken < 100000) ++taken;
  return taken;
}
}  // namespace

TEST_CASE("a fresh retry budget allows its reserve: min_retries_per_s times the 10 s ttl", "[retry][budget]") {
  RetryBudgetState budget(0.2, 10.0);
  CHECK(budget.balance(0) == 100);
  CHECK(withdraw_all(budget, 0) == 100);
  CHECK_FALSE(budget.try_withdraw(0));
}

TEST_CASE("each request adds ratio of a retry; 100 requests at 20% allow 20 more", "[retry][budget]") {
  RetryBudgetState budget(0.2, 0.0);
  CHECK_FALSE(budget.try_withdraw(0));
  for (int i = 0; i < 100; ++i) budget.deposit(0);
  CHECK(withdraw_all(budget, 0) == 20);
}

TEST_CASE("deposits expire after the ttl, so the budget has no other cap", "[retry][budget]") {
  RetryBudgetState budget(0.5, 0.0);
  for (int i = 0; i < 1000; ++i) budget.deposit(1 * kSecond);
  CHECK(budget.balance(1 * kSecond) == 500);
  CHECK(budget.balance(10 * kSecond) == 500);  // still inside the window
  CHECK(budget.balance(11 * kSecond) == 0);    // ten seconds later the deposits are gone
  // A steady 100 requests per second for a minute never holds more than ratio x 10 s of them.
  RetryBudgetState steady(0.5, 0.0);
  for (int s = 0; s < 60; ++s) {
    for (int i = 0; i < 100; ++i) steady.deposit(s * kSecond + i * (kSecond / 100));
    CHECK(steady.balance(s * kSecond + kSecond - 1) <= 500);
  }
  CHECK(steady.balance(59 * kSecond + kSecond - 1) == 500);
}

TEST_CASE("withdrawals expire with the window too", "[retry][budget]") {
  RetryBudgetState budget(1.0, 1.0);  // reserve of 10
  CHECK(withdraw_all(budget, 0) == 10);
  CHECK(budget.balance(5 * kSecond) == 0);
  CHECK(budget.balance(10 * kSecond) == 10);  // the withdrawals have left the window
}

TEST_CASE("a ratio of 0 allows only the reserve", "[retry][budget]") {
  RetryBudgetState budget(0.0, 1.0);
  for (int i = 0; i < 1000; ++i) budget.deposit(0);
  CHECK(withdraw_all(budget, 0) == 10);
}
