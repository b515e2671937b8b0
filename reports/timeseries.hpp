// The run's time series as CSV (time, metric, labels, value), OpenMetrics text, or the
// Prometheus text exposition format.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::reports {

enum class MetricsFormat { csv, openmetrics, prometheus };

// One row per bucket, metric and client or service; `time` is the end of the bucket in
// simulated seconds. A bucket without a successful request has no latency: its p50_seconds and
// p99_seconds rows have an empty value. See docs/reports.md for the metrics.
std::string render_timeseries_csv(const nlohmann::ordered_json& report);

// OpenMetrics text exposition with Prometheus naming (faultline_requests_total,
// faultline_request_duration_seconds, ...), base units, ratios 0-1, and each sample stamped
// with its bucket's end in simulated seconds. A bucket without a successful request has NaN
// latency. Ends with "# EOF". `promtool tsdb create-blocks-from openmetrics` reads it.
std::string render_openmetrics(const nlohmann::ordered_json& report);

// The same series in the Prometheus text format (version 0.0.4): HELP before TYPE, counters
// named with _total, no UNIT, timestamps in integer milliseconds, no "# EOF".
// `promtool check metrics` reads it.
std::string render_prometheus(const nlohmann::ordered_json& report);

// The renderer `format` names.
std::string render_timeseries(const nlohmann::ordered_json& report, MetricsFormat format);

}  // namespace faultline::reports
