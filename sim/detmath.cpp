// det_log and det_exp: argument reduction by powers of two (exact), then short series.
// Compiled with -ffp-contract=off, so no step is fused into an FMA behind our back.
#include "sim/detmath.hpp"

#include <bit>
#include <cstdint>
#include <limits>

namespace faultline::sim {
namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

// x * 2^k by editing the exponent bits (k within the normal range of the result).
double scale_by_power_of_two(double x, int k) {
  // Split large scalings in two so each factor is a normal double.
  while (k > 1000) {
    x *= std::bit_cast<double>(std::uint64_t{2046} << 52);  // 2^1023
    k -= 1023;
  }
  while (k < -1000) {
    x *= std::bit_cast<double>(std::uint64_t{1} << 52);  // 2^-1022
    k += 1022;
  }
  return x * std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

}  // namespace

double det_log(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff);
  if (exponent == 0) {  // subnormal: normalise first
    x *= 18014398509481984.0;  // 2^54
    bits = std::bit_cast<std::uint64_t>(x);
    exponent = static_cast<int>((bits >> 52) & 0x7ff) - 54;
  }
  int k = exponent - 1023;
  // m in [1, 2), then moved to [sqrt(1/2), sqrt(2)).
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > 2 * kSqrtHalf) {
    m *= 0.5;
    ++k;
  }
  // log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.1716.
  const double f = m - 1.0;
  const double s = f / (m + 1.0);
  const double s2 = s * s;
  // 1/3 + s^2/5 + s^4/7 + ... + s^20/23, Horner form, coefficients as constants.
  constexpr double kInverseOdd[] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                    1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23};
  double series = kInverseOdd[10];
  for (int n = 9; n >= 0; --n) series = kInverseOdd[n] + s2 * series;
  const double log_m = 2.0 * s + 2.0 * s * s2 * series;
  const double kd = static_cast<double>(k);
  return kd * kLn2Hi + (log_m + kd * kLn2Lo);
}

double det_exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2.
  const double kd = x * kInvLn2 + (x >= 0 ? 0.5 : -0.5);
  const int k = static_cast<int>(kd);
  const double hi = x - static_cast<double>(k) * kLn2Hi;
  const double lo = static_cast<double>(k) * kLn2Lo;
  const double r = hi - lo;
  // e^r by its Taylor series to degree 14, in Horner form: 1 + r(1 + r/2(1 + r/3(...))).
  constexpr double kInverse[] = {1.0,      1.0 / 2,  1.0 / 3,  1.0 / 4,  1.0 / 5,  1.0 / 6,  1.0 / 7,
                                 1.0 / 8,  1.0 / 9,  1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14};
  double sum = 1.0;
  for (int n = 13; n >= 0; --n) sum = 1.0 + r * sum * kInverse[n];
  return scale_by_power_of_two(sum, k);
}

}  // namespace faultline::sim
