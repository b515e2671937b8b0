// Writing the outputs of one run, and re-running the scenario a report embeds.
#include "harness/cmd_run_outputs.hpp"

#include "reports/report_view.hpp"

#include <cstdlib>
#include <functional>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/duration.hpp"
#include "harness/interrupt.hpp"
#include "harness/output.hpp"
#include "reports/html.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"
#include "reports/report.hpp"

namespace faultline::harness {
namespace {

constexpr std::size_t kStepSummaryLimit = 1 << 20;  // GitHub's limit for one step's summary

const char* step_summary_path(const RunOutputs& outputs) {
  if (outputs.summary_path.empty() && !outputs.github) return nullptr;
  return github_step_summary();
}

std::string read_existing(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Escaping for the data and the properties of a GitHub workflow command.
std::string command_data(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string command_property(const std::string& text) {
  std::string out;
  for (const char c : command_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

}  // namespace

reports::TraceWindow parse_trace_window(const std::string& flag, const std::string& text) {
  const auto dots = text.find("..");
  if (dots == std::string::npos) throw UsageError(flag + ": expected FROM..TO, e.g. \"30s..1m30s\", got \"" + text + "\"");
  reports::TraceWindow window;
  const std::string from = text.substr(0, dots), to = text.substr(dots + 2);
  std::string why;
  if (!from.empty()) {
    const auto value = parse_go_duration(from, &why);
    if (!value || *value < 0) throw UsageError(flag + ": expected a duration before \"..\", got \"" + from + "\"");
    window.from_ns = *value;
  }
  if (!to.empty()) {
    const auto value = parse_go_duration(to, &why);
    if (!value || *value <= window.from_ns) {
      throw UsageError(flag + ": expected a duration after \"..\" later than the one before it, got \"" + text + "\"");
    }
    window.to_ns = *value;
  }
  return window;
}

reports::MetricsFormat parse_metrics_format(const std::string& text) {
  if (text == "csv") return reports::MetricsFormat::csv;
  if (text == "openmetrics") return reports::MetricsFormat::openmetrics;
  if (text == "prometheus") return reports::MetricsFormat::prometheus;
  throw UsageError("--metrics-format: expected csv, openmetrics or prometheus, got \"" + text + "\"");
}

// "-", or a path naming the file standard output is open on (/dev/stdout, or the file it was
// redirected to): then the verdict goes to standard error, as with "-".
bool is_stdout(const std::string& path) { return path == "-" || names_standard_output(path); }

std::string output_target(const std::string& path) { return is_stdout(path) ? "/dev/stdout" : path; }

bool writes_to_stdout(const RunOutputs& outputs) {
  for (const std::string* path : {&outputs.report_path, &outputs.junit_path, &outputs.summary_path, &outputs.html_path,
                                  &outputs.timeseries_path}) {
    if (is_stdout(*path)) return true;
  }
  return false;
}

void declare_run_outputs(OutputSet& files, const RunOutputs& outputs) {
  const std::pair<const char*, const std::string*> declared[] = {{"--report", &outputs.report_path},
                                                                 {"--junit", &outputs.junit_path},
                                                                 {"--summary", &outputs.summary_path},
                                                                 {"--html", &outputs.html_path},
                                                                 {"--timeseries", &outputs.timeseries_path}};
  int to_stdout = 0;
  for (const auto& [flag, path] : declared) to_stdout += is_stdout(*path) ? 1 : 0;
  if (to_stdout > 1) throw UsageError("only one output can go to standard output (\"-\")");
  if (to_stdout == 1 && outputs.github) {
    throw UsageError("--github writes annotations to standard output, so no output can be \"-\" with it");
  }
  for (const auto& [flag, path] : declared) {
    if (!path->empty()) files.add_output(flag, output_target(*path));
  }
  if (const char* step = step_summary_path(outputs)) files.add_output("$GITHUB_STEP_SUMMARY", step);
}

reports::JunitOptions junit_options(const Scenario& scenario, std::size_t assertion_count, const std::string& replay) {
  reports::JunitOptions options;
  options.replay_command = replay;
  options.scenario_file = scenario.file;
  // A scenario embedded in a report ("R.json#/scenario/source") has no lines of its own in a
  // file on disk: the testcases name the report, without a line.
  const auto hash = options.scenario_file.find('#');
  if (hash != std::string::npos) {
    options.scenario_file.resize(hash);
    return options;
  }
  // The scenario is parsed again for its locations; it parsed before, so this cannot fail.
  try {
    const JsonSource source = JsonSource::parse(scenario.file, scenario.bytes);
    for (std::size_t i = 0; i < assertion_count; ++i) {
      options.assertion_lines.push_back(source.locate("/assertions/" + std::to_string(i)).line);
    }
    options.run_line = source.locate("/duration").line;
  } catch (const InputError&) {
  }
  return options;
}

void write_run_outputs(OutputSet& files, const RunOutputs& outputs, const Scenario& scenario,
                       const nlohmann::ordered_json& report, const std::string& replay, RunOutputSet which) {
  auto stage = [&](const std::string& path, std::string_view content) { files.stage(output_target(path), content); };
  const bool all = which == RunOutputSet::all;
  // Rendering a large report takes time too: the wall budget is checked between outputs. A run
  // stopped by a limit (perhaps the wall budget itself) writes only its small verdict outputs.
  const auto check_budget = [all] { if (all) check_wall_budget("rendering the outputs"); };
  check_budget();
  if (all && !outputs.report_path.empty()) stage(outputs.report_path, reports::render_json(report));
  if (!outputs.junit_path.empty()) {
    stage(outputs.junit_path, reports::render_junit(report, junit_options(scenario, report["assertions"].size(), replay)));
  }
  check_budget();
  if (all && !outputs.html_path.empty()) stage(outputs.html_path, reports::render_html(report, replay));
  if (all && !outputs.timeseries_path.empty()) {
    stage(outputs.timeseries_path, reports::render_timeseries(report, outputs.metrics_format));
  }
  check_budget();
  if (!outputs.summary_path.empty()) {
    stage(outputs.summary_path, reports::render_summary(report, {replay, kStepSummaryLimit}));
  }
  if (const char* step = step_summary_path(outputs)) {
    append_step_summary(files, step, report["scenario"]["name"].get<std::string>(),
                        [&](std::size_t room) { return reports::render_summary(report, {replay, room}); });
  }
}

void append_step_summary(OutputSet& files, const std::string& step, const std::string& scenario_name,
                         const std::function<std::string(std::size_t room)>& render) {
  // Several runs in one job step append to the same file; what is already there counts
  // against GitHub's limit too.
  const std::string existing = read_existing(step);
  const std::size_t room = existing.size() + 64 < kStepSummaryLimit ? kStepSummaryLimit - existing.size() - 64 : 0;
  std::string summary = room > 0 ? render(room) : std::string();
  if (summary.empty() && existing.size() + 200 < kStepSummaryLimit) {
    summary = "faultline: the summary of " + scenario_name + " does not fit in the step summary's 1 MiB.\n";
  }
  files.stage(step, existing + (existing.empty() || existing.back() == '\n' ? "" : "\n") + summary + "\n");
}

const char* github_step_summary() {
  const char* path = std::getenv("GITHUB_STEP_SUMMARY");
  return path != nullptr && path[0] != '\0' ? path : nullptr;
}

void print_github_annotation(std::ostream& out, const std::string& file, SourceLocation where, const std::string& title,
                             const std::string& message) {
  std::string path = file;
  const bool embedded = path.find('#') != std::string::npos;
  if (embedded) path.resize(path.find('#'));
  out << "::error file=" << command_property(path);
  if (where.line > 0 && !embedded) out << ",line=" << where.line << ",col=" << where.column;
  out << ",title=" << command_property(title) << "::" << command_data(message) << "\n";
}

void print_github_assertion_errors(std::ostream& out, const Scenario& scenario, const nlohmann::ordered_json& report) {
  // The scenario is parsed again for its locations; it parsed before, so this cannot fail.
  std::optional<JsonSource> source;
  try {
    source = JsonSource::parse(scenario.file, scenario.bytes);
  } catch (const InputError&) {
  }
  const std::string seed = report["seed"].dump();
  const nlohmann::ordered_json& assertions = report["assertions"];
  for (std::size_t i = 0; i < assertions.size(); ++i) {
    const nlohmann::ordered_json& a = assertions[i];
    if (a["passed"].get<bool>()) continue;
    const SourceLocation where = source ? source->locate("/assertions/" + std::to_string(i)) : SourceLocation{};
    const std::string title = "faultline: " + a["name"].get<std::string>() + " failed";
    const std::string message = scenario.name + ": assertion \"" + a["name"].get<std::string>() + "\" failed (seed " + seed +
                                "): expected " + a["expected"].get<std::string>() + ", observed " +
                                a["observed"].get<std::string>();
    std::string file = scenario.file;
    if (const auto hash = file.find('#'); hash != std::string::npos) file.resize(hash);
    out << "::error file=" << command_property(file);
    if (where.line > 0 && scenario.file.find('#') == std::string::npos) {
      out << ",line=" << where.line << ",col=" << where.column;
    }
    out << ",title=" << command_property(title) << "::" << command_data(message) << "\n";
  }
}

void print_github_input_error(std::ostream& out, const std::string& file, SourceLocation where, const std::string& message) {
  print_github_annotation(out, file, where, "faultline: invalid scenario", message);
}

Scenario load_scenario_from_report(const std::string& report_path, const LoadLimits& limits, std::uint64_t& seed) {
  const nlohmann::ordered_json report = read_json_file(report_path);
  const std::string pointer = "/scenario/source";
  const bool embeds = report.is_object() && report.contains("scenario") && report["scenario"].is_object() &&
                      report["scenario"].contains("source");
  if (!embeds) {
    throw InputError(report_path, {}, pointer,
                     "expected a faultline report that embeds its scenario (scenario.source, written since 0.1.0)");
  }
  reports::ReportView view;
  try {
    view = reports::read_report_view(report);
  } catch (const reports::ReportError& e) {
    throw InputError(report_path, {}, e.pointer,
                     "at " + (e.pointer.empty() ? std::string("(document root)") : e.pointer) + ": " + e.what() + " (expected a faultline run or sweep report)");
  }
  const reports::ScenarioView& embedded = view.sweep ? view.sweep_report.scenario : view.run.scenario;
  if (!embedded.source) {
    throw InputError(report_path, {}, pointer,
                     "expected a faultline report that embeds its scenario (scenario.source, written since 0.1.0)");
  }
  const JsonSource source = JsonSource::parse(report_path + "#" + pointer, *embedded.source);
  Scenario scenario = load_scenario(source, limits);
  // A run report has its seed; a sweep report (sweep.json) has none, so the scenario's own.
  seed = view.sweep ? scenario.model.seed : view.run.seed;
  return scenario;
}

std::string replay_command(const std::string& scenario_path, const std::string& from_report, std::uint64_t seed) {
  if (!from_report.empty()) return "faultline run --from-report " + shell_quote(from_report) + " --seed " + std::to_string(seed);
  return "faultline run " + shell_quote(scenario_path) + " --seed " + std::to_string(seed);
}

}  // namespace faultline::harness
