// Comparing two run reports or two sweep reports: assertion verdict changes, per-client,
// per-service and per-fault metric deltas with their direction, and regression gates.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report_view.hpp"

namespace faultline::reports {

// One --fail-on threshold: METRIC[@NAME]=[+|-]AMOUNT[UNIT]. See docs/reports.md.
struct Threshold {
  std::string text;      // as written, e.g. "p99=+10%"
  std::string metric;    // the report key: "availability", "p99_ms", "recovered_after_s", ...
  std::string entity;    // a client, service or fault name; empty: every one
  int direction = 1;     // +1: an increase is a regression; -1: a decrease is
  double amount = 0;     // in the metric's unit (ratio, ms, s, count), or a fraction when relative
  bool relative = false;
};

// Parses "availability=-0.1%,p99=+10%,recovery=+5s". Throws std::invalid_argument naming the
// part that is wrong and what was expected.
std::vector<Threshold> parse_thresholds(const std::string& spec);

struct MetricDelta {
  std::string group;   // "clients", "services" or "faults"
  std::string entity;
  std::string metric;  // the report key
  std::optional<double> base, candidate;  // runs: the values; sweeps: the medians
  bool base_present = false, candidate_present = false;  // the entity exists on that side
  int verdict = 0;                  // +1 better, -1 worse, 0 the same or no direction
  bool noise_known = false;         // sweeps: whether seed noise could be judged
  bool within_noise = false;        // sweeps: the difference is within seed noise
  std::vector<std::string> breached;  // thresholds crossed
  bool regression = false;
};

struct VerdictChange {
  std::string name;
  std::optional<double> base, candidate;  // runs: 1 pass / 0 fail; sweeps: pass ratio; nullopt: absent
  std::string base_observed, candidate_observed;  // runs: the observed text
  std::string change;  // "newly failing", "fixed", "still failing", "still passing", "added", "removed",
                       // sweeps: "pass ratio down", "pass ratio up", "unchanged"
  bool within_noise = false;
  bool regression = false;
};

struct Comparison {
  std::string kind;  // "run" or "sweep"
  std::string base_name, candidate_name, base_sha256, candidate_sha256;
  std::string base_seeds, candidate_seeds;  // "7" or "1-200"
  bool same_scenario = true;
  std::vector<std::string> notes;
  std::vector<VerdictChange> verdicts;
  std::vector<MetricDelta> metrics;
  std::vector<Threshold> thresholds;
  std::size_t regressions = 0;
};

// Throws std::invalid_argument when one is a run report and the other a sweep report. The JSON
// overload reads both through the typed view first (ReportError for a missing or ill-typed field).
Comparison compare_reports(const ReportView& base, const ReportView& candidate, const std::vector<Threshold>& thresholds);
Comparison compare_reports(const nlohmann::ordered_json& base, const nlohmann::ordered_json& candidate,
                           const std::vector<Threshold>& thresholds);

// Whether a higher value of `metric` is better (+1), worse (-1) or neither (0).
int metric_direction(const std::string& metric);

std::string render_comparison_text(const Comparison& comparison);
std::string render_comparison_markdown(const Comparison& comparison);
std::string render_comparison_html(const Comparison& comparison);
nlohmann::ordered_json comparison_json(const Comparison& comparison);

}  // namespace faultline::reports
