// Checks that stay on: FAULTLINE_ASSERT survives Release builds (this suite is built with
// NDEBUG in Release), so an engine invariant that breaks stops the run instead of reporting
// wrong numbers.
#include <catch2/catch.hpp>

#include "sim/check.hpp"

using namespace faultline;

TEST_CASE("FAULTLINE_ASSERT is checked in every build type, NDEBUG or not", "[invariants]") {
  const int two = 2;
  CHECK_NOTHROW(FAULTLINE_ASSERT(two == 2));
  CHECK_THROWS_AS(FAULTLINE_ASSERT(two == 3), sim::InvariantViolation);
  CHECK_THROWS_WITH(FAULTLINE_ASSERT(two == 3), Catch::Contains("two == 3"));
}
