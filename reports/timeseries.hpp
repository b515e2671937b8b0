// The run's time series as CSV (time, metric, labels, value) or OpenMetrics text.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::reports {

enum class MetricsFormat { csv, openmetrics };

// One row per bucket, metric and client or service; `time` is the end of the bucket in
// simulated seconds. See docs/reports.md for the metrics.
std::string render_timeseries_csv(const nlohmann::ordered_json& report);

// OpenMetrics text exposition with Prometheus naming (faultline_requests_total,
// faultline_request_duration_seconds, ...), base units, ratios 0-1, and each sample stamped
// with its bucket's end in simulated seconds. Ends with "# EOF".
std::string render_openmetrics(const nlohmann::ordered_json& report);

}  // namespace faultline::reports
