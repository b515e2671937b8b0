// The files `faultline run` writes besides its verdict (--report, --junit, --summary, --html,
// --timeseries), the GitHub step summary and annotations (--github), and --from-report.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/json_source.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/scenario.hpp"
#include "reports/timeseries.hpp"
#include "reports/trace.hpp"

namespace faultline::harness {

struct RunOutputs {
  std::string report_path;
  std::string junit_path;
  std::string summary_path;
  std::string html_path;
  std::string timeseries_path;
  reports::MetricsFormat metrics_format = reports::MetricsFormat::csv;
  bool github = false;  // annotations on stdout, and the step summary
};

// "FROM..TO", either side a duration and either side may be empty ("..30s", "1m.."): the time a
// trace covers (--trace-window of run and live). UsageError otherwise.
reports::TraceWindow parse_trace_window(const std::string& flag, const std::string& text);

// "csv", "openmetrics" or "prometheus"; UsageError otherwise.
reports::MetricsFormat parse_metrics_format(const std::string& text);

// "-" names standard output for one output flag; OutputSet writes "/dev/stdout" in place.
bool is_stdout(const std::string& path);
bool writes_to_stdout(const RunOutputs& outputs);
std::string output_target(const std::string& path);  // "/dev/stdout" for "-", else the path

// Declares, before the run, every requested file (and $GITHUB_STEP_SUMMARY when it will be
// appended to) in `files`, which checks them; at most one may be "-", and none with --github.
// Throws OutputError or UsageError.
void declare_run_outputs(OutputSet& files, const RunOutputs& outputs);

// Which outputs a run writes: all of them when it finished; only the CI verdicts (JUnit, the
// summary and the step summary) when a resource limit stopped it, so a CI reporter still
// finds the file it was told to read, with the run's error in it.
enum class RunOutputSet : std::uint8_t { all, verdicts_only };

// Stages every requested file of `which` in `files` (the caller commits them all at once). With
// --summary or --github and $GITHUB_STEP_SUMMARY set, appends the summary there too, keeping
// that file under 1 MiB. JUnit testcases carry the scenario's path and each assertion's line.
void write_run_outputs(OutputSet& files, const RunOutputs& outputs, const Scenario& scenario,
                       const nlohmann::ordered_json& report, const std::string& replay_command,
                       RunOutputSet which = RunOutputSet::all);

// GitHub workflow commands: one ::error per failed assertion, located at the assertion in the
// scenario file.
void print_github_assertion_errors(std::ostream& out, const Scenario& scenario, const nlohmann::ordered_json& report);

// One GitHub ::error annotation at file:line:column (a path with "#" names a report's embedded
// scenario, which GitHub cannot show, so it is left without a line).
void print_github_annotation(std::ostream& out, const std::string& file, SourceLocation where, const std::string& title,
                             const std::string& message);

// $GITHUB_STEP_SUMMARY when set and not empty, else nullptr.
const char* github_step_summary();

// Stages in `files` the step summary file `step` with render(room) appended, keeping it under
// GitHub's 1 MiB (`step` must have been declared as an output).
void append_step_summary(OutputSet& files, const std::string& step, const std::string& scenario_name,
                         const std::function<std::string(std::size_t room)>& render);

// One ::error for a problem with the input, located at file:line:column.
void print_github_input_error(std::ostream& out, const std::string& file, SourceLocation where, const std::string& message);

// The scenario embedded in a report (scenario.source; run and sweep reports both have it),
// loaded as if from a file named "REPORT#/scenario/source"; `seed` receives the report's seed,
// or the scenario's own for a sweep report.
Scenario load_scenario_from_report(const std::string& report_path, const LoadLimits& limits, std::uint64_t& seed);

// "faultline run SCENARIO --seed N" (or "--from-report R.json --seed N"), shell-quoted.
std::string replay_command(const std::string& scenario_path, const std::string& from_report, std::uint64_t seed);

}  // namespace faultline::harness
