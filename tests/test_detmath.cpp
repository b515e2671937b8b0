// det_log and det_exp agree with the C library to within a few ulps, everywhere that matters.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "sim/detmath.hpp"
#include "sim/rng.hpp"

using faultline::sim::det_exp;
using faultline::sim::det_log;

TEST_CASE("det_log matches log to 1e-15 relative over many magnitudes", "[math]") {
  faultline::sim::Rng rng(1);
  for (int i = 0; i < 200000; ++i) {
    const double x = std::ldexp(0.5 + rng.uniform01(), static_cast<int>(rng.below(200)) - 100);
    const double expected = std::log(x);
    REQUIRE(std::fabs(det_log(x) - expected) <= 1e-15 * std::max(1.0, std::fabs(expected)));
  }
  for (double u = 1e-12; u < 1.0; u *= 1.7) {  // the exponential sampler's inputs, 1 - u near 1
    REQUIRE(det_log(1.0 - u) == Approx(std::log(1.0 - u)).epsilon(1e-13));
  }
}

TEST_CASE("det_log handles the edges", "[math]") {
  CHECK(det_log(1.0) == 0.0);
  CHECK(std::isinf(det_log(0.0)));
  CHECK(det_log(0.0) < 0);
  CHECK(std::isnan(det_log(-1.0)));
  CHECK(det_log(std::numeric_limits<double>::denorm_min()) == Approx(std::log(std::numeric_limits<double>::denorm_min())));
  CHECK(det_log(std::numeric_limits<double>::max()) == Approx(std::log(std::numeric_limits<double>::max())));
}

TEST_CASE("det_exp matches exp to 1e-15 relative", "[math]") {
  faultline::sim::Rng rng(2);
  for (int i = 0; i < 200000; ++i) {
    const double x = (rng.uniform01() - 0.5) * 1400.0;
    const double expected = std::exp(x);
    REQUIRE(std::fabs(det_exp(x) - expected) <= 2e-15 * expected);
  }
  CHECK(det_exp(0.0) == 1.0);
  CHECK(std::isinf(det_exp(710.0)));
  CHECK(det_exp(-800.0) == 0.0);
}
