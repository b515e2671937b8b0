// Samplers for the duration distributions. Only +,-,*,/, sqrt and our own det_log/det_exp are
// used, so the same seed gives the same draws under every compiler, build type and C library.
#include "sim/distribution.hpp"

#include "sim/detmath.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace faultline::sim {
namespace {

// z such that P(Z <= z) = 0.99 for a standard normal.
constexpr double kZ99 = 2.3263478740408408;

TimeNs round_to_ns(double value) { return ns_from_double(value); }

std::string format_duration(TimeNs ns) {
  char buffer[64];
  if (ns % kSecond == 0) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(ns / kSecond));
  } else if (ns % kMillisecond == 0) {
    std::snprintf(buffer, sizeof buffer, "%lldms", static_cast<long long>(ns / kMillisecond));
  } else if (ns % kMicrosecond == 0) {
    std::snprintf(buffer, sizeof buffer, "%lldus", static_cast<long long>(ns / kMicrosecond));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldns", static_cast<long long>(ns));
  }
  return buffer;
}

double lognormal_sigma(const LogNormalDist& d) {
  if (d.median_ns <= 0 || d.p99_ns <= d.median_ns) return 0;
  return (det_log(static_cast<double>(d.p99_ns)) - det_log(static_cast<double>(d.median_ns))) / kZ99;
}

struct Sampler {
  Rng& rng;
  TimeNs operator()(const ConstantDist& d) const { return d.value_ns; }
  TimeNs operator()(const ExponentialDist& d) const {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return round_to_ns(-static_cast<double>(d.mean_ns) * det_log(1.0 - rng.uniform01()));
  }
  TimeNs operator()(const UniformDist& d) const {
    return round_to_ns(static_cast<double>(d.min_ns) + rng.uniform01() * static_cast<double>(d.max_ns - d.min_ns));
  }
  TimeNs operator()(const NormalDist& d) const {
    // Truncation at zero by redrawing; after 64 negative draws (a mean far below zero
    // relative to the deviation) we give zero rather than loop for long.
    for (int attempt = 0; attempt < 64; ++attempt) {
      double x = static_cast<double>(d.mean_ns) + static_cast<double>(d.stddev_ns) * standard_normal(rng);
      if (x >= 0) return round_to_ns(x);
    }
    return 0;
  }
  TimeNs operator()(const LogNormalDist& d) const {
    if (d.sigma >= 0) return round_to_ns(det_exp(d.mu + d.sigma * standard_normal(rng)));
    const double mu = det_log(static_cast<double>(std::max<TimeNs>(d.median_ns, 1)));
    return round_to_ns(det_exp(mu + lognormal_sigma(d) * standard_normal(rng)));
  }
  TimeNs operator()(const EmpiricalDist& d) const {
    const auto& p = d.points;
    if (p.empty()) return 0;
    const double u = rng.uniform01();
    auto upper = std::upper_bound(p.begin(), p.end(), u,
                                  [](double q, const EmpiricalPoint& point) { return q < point.quantile; });
    if (upper == p.begin()) return p.front().value_ns;
    if (upper == p.end()) return p.back().value_ns;
    const EmpiricalPoint& lo = *(upper - 1);
    const EmpiricalPoint& hi = *upper;
    const double span = hi.quantile - lo.quantile;
    const double fraction = span > 0 ? (u - lo.quantile) / span : 0;
    return round_to_ns(static_cast<double>(lo.value_ns) + fraction * static_cast<double>(hi.value_ns - lo.value_ns));
  }
};

}  // namespace

double standard_normal(Rng& rng) {
  for (;;) {
    const double x = 2.0 * rng.uniform01() - 1.0;
    const double y = 2.0 * rng.uniform01() - 1.0;
    const double s = x * x + y * y;
    if (s > 0 && s < 1) return x * std::sqrt(-2.0 * det_log(s) / s);
  }
}

TimeNs sample_variable(const Distribution& dist, Rng& rng) { return std::visit(Sampler{rng}, dist); }

void prepare(Distribution& dist) {
  if (auto* d = std::get_if<LogNormalDist>(&dist)) {
    d->mu = det_log(static_cast<double>(std::max<TimeNs>(d->median_ns, 1)));
    d->sigma = lognormal_sigma(*d);
  }
}

double mean_ns(const Distribution& dist) {
  struct Mean {
    double operator()(const ConstantDist& d) const { return static_cast<double>(d.value_ns); }
    double operator()(const ExponentialDist& d) const { return static_cast<double>(d.mean_ns); }
    double operator()(const UniformDist& d) const { return 0.5 * static_cast<double>(d.min_ns + d.max_ns); }
    double operator()(const NormalDist& d) const { return static_cast<double>(d.mean_ns); }
    double operator()(const LogNormalDist& d) const {
      const double sigma = lognormal_sigma(d);
      return static_cast<double>(d.median_ns) * det_exp(0.5 * sigma * sigma);
    }
    double operator()(const EmpiricalDist& d) const {
      double total = 0;
      for (std::size_t i = 1; i < d.points.size(); ++i) {
        const double width = d.points[i].quantile - d.points[i - 1].quantile;
        total += width * 0.5 * static_cast<double>(d.points[i].value_ns + d.points[i - 1].value_ns);
      }
      return total;
    }
  };
  return std::visit(Mean{}, dist);
}

std::string describe(const Distribution& dist) {
  struct Describe {
    std::string operator()(const ConstantDist& d) const { return "constant " + format_duration(d.value_ns); }
    std::string operator()(const ExponentialDist& d) const { return "exponential(mean " + format_duration(d.mean_ns) + ")"; }
    std::string operator()(const UniformDist& d) const {
      return "uniform(" + format_duration(d.min_ns) + ", " + format_duration(d.max_ns) + ")";
    }
    std::string operator()(const NormalDist& d) const {
      return "normal(mean " + format_duration(d.mean_ns) + ", stddev " + format_duration(d.stddev_ns) + ")";
    }
    std::string operator()(const LogNormalDist& d) const {
      return "lognormal(median " + format_duration(d.median_ns) + ", p99 " + format_duration(d.p99_ns) + ")";
    }
    std::string operator()(const EmpiricalDist& d) const {
      return "empirical(" + std::to_string(d.points.size()) + " points)";
    }
  };
  return std::visit(Describe{}, dist);
}

}  // namespace faultline::sim
