// Logarithm and exponential computed with IEEE-754 +, -, *, / only, so every machine, compiler
// and C library gives the same bits. (glibc picks an FMA or a non-FMA variant of log and exp at
// run time by CPU, and those may differ in the last bit; a report must not.)
#pragma once

namespace faultline::sim {

// Natural logarithm for x > 0 (relative error about 1e-16). log(0) = -inf; x < 0 or NaN -> NaN.
double det_log(double x);

// e^x (relative error about 1e-16); overflows to +inf above ~709.78 and underflows to 0.
double det_exp(double x);

}  // namespace faultline::sim
