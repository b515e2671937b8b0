// Chart data: one metric of one client or service per time-series bucket, and min/max
// decimation so that a long run draws as many points as the chart has pixel columns.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "sim/results.hpp"

namespace faultline::gui {

enum class Metric : std::uint8_t { throughput, error_ratio, timeouts, p50, p99, queue_depth, in_flight };
inline constexpr std::size_t kMetricCount = 7;
const char* metric_title(Metric metric);
const char* metric_unit(Metric metric);  // "req/s", "%", "ms", ...
bool metric_services_only(Metric metric);

// The metric's value in each of the first `count` buckets, NaN where it is undefined (a ratio
// with no requests, a percentile with no successful request). Ratios are percentages.
void metric_values(std::span<const sim::BucketSample> series, Metric metric, double bucket_s, std::size_t count,
                   std::vector<float>& out);

// One point to draw: the range [lo, hi] of the values that fall into one pixel column (equal
// when no decimation was needed). NaN marks a gap.
struct ChartSample {
  double t_s = 0;
  float lo = 0;
  float hi = 0;
};

// Reduces `values` (value i at time t0_s + i * dt_s) to what is visible in [view_t0_s, view_t1_s]
// with at most `columns` samples, keeping each column's minimum and maximum so that no spike is
// lost. With fewer visible values than columns, every value is kept as is.
void decimate(std::span<const float> values, double t0_s, double dt_s, double view_t0_s, double view_t1_s, int columns,
              std::vector<ChartSample>& out);

// The largest finite value among the samples (0 when none), for the y axis.
float max_value(std::span<const ChartSample> samples);
// A "nice" axis top at or above `value` (1, 2, 2.5, 5 times a power of ten).
double nice_ceiling(double value);

}  // namespace faultline::gui
