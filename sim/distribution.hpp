// Distributions of durations (service time, latency, think time), sampled by our own code.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

struct ConstantDist {
  TimeNs value_ns = 0;
};
struct ExponentialDist {
  TimeNs mean_ns = 0;
};
struct UniformDist {
  TimeNs min_ns = 0;
  TimeNs max_ns = 0;
};
// A normal distribution truncated at zero (negative draws are drawn again).
struct NormalDist {
  TimeNs mean_ns = 0;
  TimeNs stddev_ns = 0;
};
// A lognormal given by its median and its 99th percentile, as latency is usually quoted.
struct LogNormalDist {
  TimeNs median_ns = 0;
  TimeNs p99_ns = 0;
  // log(median) and sigma, filled by prepare(); sigma < 0 means not prepared yet.
  double mu = 0;
  double sigma = -1;
};
// An empirical distribution: a table of (quantile, value) points, linearly interpolated.
// Quantiles rise strictly from 0 to 1; values never fall.
struct EmpiricalPoint {
  double quantile = 0;
  TimeNs value_ns = 0;
};
struct EmpiricalDist {
  std::vector<EmpiricalPoint> points;
};

using Distribution = std::variant<ConstantDist, ExponentialDist, UniformDist, NormalDist, LogNormalDist, EmpiricalDist>;

// A draw from a distribution that is not a constant (see sample()).
TimeNs sample_variable(const Distribution& dist, Rng& rng);

// One draw, rounded to the nearest nanosecond, never negative. A constant (zero network
// latency, most often) uses no random number and is answered inline.
inline TimeNs sample(const Distribution& dist, Rng& rng) {
  if (const auto* constant = std::get_if<ConstantDist>(&dist)) return constant->value_ns;
  return sample_variable(dist, rng);
}

// Precomputes what sampling would otherwise compute per draw (the lognormal's parameters).
void prepare(Distribution& dist);

// The distribution's mean in nanoseconds (analytic where it exists), for docs and capacity checks.
double mean_ns(const Distribution& dist);

// "exponential(mean 3ms)" and the like, for reports and the GUI.
std::string describe(const Distribution& dist);

// A standard normal draw (Marsaglia's polar method; uses only log and sqrt, which glibc
// computes identically under every compiler).
double standard_normal(Rng& rng);

}  // namespace faultline::sim
