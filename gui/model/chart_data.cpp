// Extracting chart series from buckets and decimating them per pixel column.
#include "gui/model/chart_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gui/model/snapshot.hpp"

namespace faultline::gui {

const char* metric_title(Metric metric) {
  switch (metric) {
    case Metric::throughput: return "Throughput";
    case Metric::error_ratio: return "Error ratio";
    case Metric::timeouts: return "Timeouts";
    case Metric::p50: return "Latency p50";
    case Metric::p99: return "Latency p99";
    case Metric::queue_depth: return "Queue depth";
    case Metric::in_flight: return "In flight";
  }
  return "?";
}

const char* metric_unit(Metric metric) {
  switch (metric) {
    case Metric::throughput: return "req/s";
    case Metric::error_ratio: return "%";
    case Metric::timeouts: return "/s";
    case Metric::p50:
    case Metric::p99: return "ms";
    case Metric::queue_depth:
    case Metric::in_flight: return "";
  }
  return "";
}

bool metric_services_only(Metric metric) { return metric == Metric::queue_depth; }

void metric_values(std::span<const sim::BucketSample> series, Metric metric, double bucket_s, std::size_t count,
                   std::vector<float>& out) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  count = std::min(count, series.size());
  out.resize(count);
  const double per_s = bucket_s > 0 ? 1.0 / bucket_s : 1.0;
  for (std::size_t i = 0; i < count; ++i) {
    const sim::BucketSample& b = series[i];
    float v = nan;
    switch (metric) {
      case Metric::throughput: v = static_cast<float>(static_cast<double>(b.counts.requests) * per_s); break;
      case Metric::error_ratio: {
        const std::uint64_t failed = failures(b.counts);
        const std::uint64_t answered = b.counts.ok + failed;
        if (answered > 0) v = static_cast<float>(100.0 * static_cast<double>(failed) / static_cast<double>(answered));
        break;
      }
      case Metric::timeouts: v = static_cast<float>(static_cast<double>(b.counts.timeouts) * per_s); break;
      case Metric::p50:
        if (b.counts.ok > 0) v = static_cast<float>(static_cast<double>(b.p50_ns) / 1e6);
        break;
      case Metric::p99:
        if (b.counts.ok > 0) v = static_cast<float>(static_cast<double>(b.p99_ns) / 1e6);
        break;
      case Metric::queue_depth: v = static_cast<float>(b.queue_depth); break;
      case Metric::in_flight: v = static_cast<float>(b.in_flight); break;
    }
    out[i] = v;
  }
}

void decimate(std::span<const float> values, double t0_s, double dt_s, double view_t0_s, double view_t1_s, int columns,
              std::vector<ChartSample>& out) {
  out.clear();
  if (values.empty() || dt_s <= 0 || columns <= 0 || view_t1_s <= view_t0_s) return;
  const double n = static_cast<double>(values.size());
  // Visible index range, widened by one on each side so lines run to the chart's edges.
  const double first_f = std::floor((view_t0_s - t0_s) / dt_s) - 1;
  const double last_f = std::ceil((view_t1_s - t0_s) / dt_s) + 1;
  const std::size_t first = static_cast<std::size_t>(std::clamp(first_f, 0.0, n - 1));
  const std::size_t last = static_cast<std::size_t>(std::clamp(last_f, 0.0, n - 1));
  if (last < first) return;
  const std::size_t visible = last - first + 1;
  if (visible <= static_cast<std::size_t>(columns)) {
    out.reserve(visible);
    for (std::size_t i = first; i <= last; ++i) {
      out.push_back({t0_s + static_cast<double>(i) * dt_s, values[i], values[i]});
    }
    return;
  }
  const double column_s = (view_t1_s - view_t0_s) / columns;
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  out.reserve(static_cast<std::size_t>(columns) + 2);
  std::size_t i = first;
  // Columns are aligned to the view so that panning does not make them shimmer; values before
  // the view's start fall into column -1, after its end into column `columns`.
  while (i <= last) {
    const double t = t0_s + static_cast<double>(i) * dt_s;
    const double column = std::floor((t - view_t0_s) / column_s);
    const double column_end_t = view_t0_s + (column + 1) * column_s;
    float lo = std::numeric_limits<float>::infinity();
    float hi = -std::numeric_limits<float>::infinity();
    bool any = false;
    for (; i <= last && t0_s + static_cast<double>(i) * dt_s < column_end_t; ++i) {
      const float v = values[i];
      if (std::isnan(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      any = true;
    }
    const double center = view_t0_s + (column + 0.5) * column_s;
    out.push_back({center, any ? lo : nan, any ? hi : nan});
  }
}

float max_value(std::span<const ChartSample> samples) {
  float top = 0;
  for (const ChartSample& s : samples) {
    if (std::isfinite(s.hi)) top = std::max(top, s.hi);
  }
  return top;
}

double nice_ceiling(double value) {
  if (!(value > 0) || !std::isfinite(value)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * magnitude >= value * (1.0 - 1e-9)) return step * magnitude;
  }
  return 10.0 * magnitude;
}

}  // namespace faultline::gui
