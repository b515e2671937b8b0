// A typed view of a report file: the run report (report.json) and the sweep report
// (sweep.json) parsed once into structs, every field checked for presence and type. Readers
// (compare, run --from-report, shrink --from-report, merge) go through it, so a missing or
// ill-typed field is one error naming its JSON pointer instead of an exception deep inside.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {

// The layout version every report carries as "report_format". Reports written before the key
// existed read as format 0 and are accepted; a newer format than this is refused.
inline constexpr int kReportFormat = 1;

// A field that is missing or has the wrong type: `pointer` is its RFC 6901 JSON pointer.
struct ReportError : std::runtime_error {
  ReportError(std::string pointer_, const std::string& message) : std::runtime_error(message), pointer(std::move(pointer_)) {}
  std::string pointer;
};

struct ScenarioView {
  std::string name, sha256, description;
  std::optional<std::string> source;  // the exact scenario text (run reports since 0.1.0)
};

struct AssertionView {
  std::string name, type, expected, observed;
  bool passed = false;                  // run reports
  std::optional<double> observed_value;  // run reports
  double pass_ratio = 0;                // sweep reports
};

// A client's user impact (run reports since issue 12 §5's report fields; absent before): seconds
// in buckets below `threshold` availability, the longest unbroken stretch and where it starts,
// and the client's failed requests in each fault's window, in the report's order.
struct ImpactView {
  double threshold = 0.99;
  double below_s = 0, longest_below_s = 0;
  std::optional<std::string> longest_from;
  std::vector<std::pair<std::string, double>> failed_during_faults;  // fault name, failed requests
};

// A client or service of a run report: the numbers compare and sweeps read.
struct EntityView {
  std::string name;
  double availability = 0;
  std::map<std::string, double> totals;   // requests, ok, errors, timeouts, rejected, unavailable, retries
  std::map<std::string, double> latency;  // count, p50_ms, p90_ms, p99_ms, p99_9_ms, max_ms, mean_ms
  std::map<std::string, double> extra;    // services: instances, breaker_opens, ejections
  std::optional<ImpactView> impact;       // clients, in reports that have it
};

struct FaultView {
  std::string name, kind;
  std::optional<std::string> start, end;
  std::optional<double> recovered_after_s, min_availability;
  std::optional<double> failed_requests;  // every client's, in its window; absent in older reports or when it never started
  bool has_recovery = false;
};

struct RunReportView {
  int report_format = 0;
  std::string faultline_version;
  std::string mode;  // "live" for a live run, else empty
  ScenarioView scenario;
  std::uint64_t seed = 0;
  std::string stop;
  bool passed = false;
  std::optional<std::string> trace_hash;  // live runs have none
  std::vector<AssertionView> assertions;
  std::vector<EntityView> clients, services;
  std::vector<FaultView> faults;
};

// Per entity of a sweep report: metric name -> its statistics over the seeds.
struct SweepStats {
  std::optional<double> median, mean;
  double stddev = 0, count = 0;
};
struct SweepEntityView {
  std::string name;
  std::vector<std::pair<std::string, SweepStats>> metrics;  // in the report's order
};

struct SweepReportView {
  int report_format = 0;
  std::string faultline_version;
  ScenarioView scenario;
  std::uint64_t first_seed = 0, last_seed = 0;
  double runs = 0;
  std::vector<AssertionView> assertions;
  std::vector<SweepEntityView> clients, services, faults;
};

struct ReportView {
  bool sweep = false;
  RunReportView run;
  SweepReportView sweep_report;
};

// Parses a run or sweep report. Throws ReportError for anything a reader needs that is missing
// or of the wrong type, or for a report_format newer than kReportFormat.
ReportView read_report_view(const nlohmann::ordered_json& document);
RunReportView read_run_report(const nlohmann::ordered_json& document);
SweepReportView read_sweep_report(const nlohmann::ordered_json& document);

}  // namespace faultline::reports
