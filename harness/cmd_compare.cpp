// The compare command: reads two reports (a sweep folder stands for its sweep.json), builds
// the comparison, prints or writes it in the asked format, and exits 1 on a regression.
#include "harness/commands.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/json_source.hpp"
#include "reports/report_view.hpp"
#include "harness/live/compare_live.hpp"
#include "harness/output.hpp"
#include "reports/compare.hpp"
#include "reports/report.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

// A report read once through the typed view (reports/report_view): anything missing or of the
// wrong type is an input error naming the file and the JSON pointer.
struct ReadReport {
  json document;
  reports::ReportView view;
};

ReadReport read_report(std::string& path) {
  if (std::filesystem::is_directory(path)) path += "/sweep.json";
  ReadReport out;
  out.document = read_json_file(path);
  try {
    out.view = reports::read_report_view(out.document);
  } catch (const reports::ReportError& e) {
    throw InputError(path, {}, e.pointer,
                     "at " + (e.pointer.empty() ? std::string("(document root)") : e.pointer) + ": " + e.what() + " (expected a faultline run report (faultline run --report) or sweep report (sweep.json))");
  }
  return out;
}

struct CompareFlags {
  std::vector<std::string> files;  // BASE and CANDIDATE
  std::string format = "text", out_path;
  std::vector<reports::Threshold> thresholds;
  live::CalibrationTolerance tolerance;
};

CompareFlags parse_compare_flags(const std::vector<std::string>& args) {
  CompareFlags flags;
  std::vector<std::string> fail_on_specs;
  std::string relative_tolerance, availability_tolerance;
  ArgParser parser("compare", args);
  while (!parser.done()) {
    std::string value;
    if (parser.option("--format", flags.format) || parser.repeated("--fail-on", fail_on_specs) ||
        parser.option("--out", flags.out_path) || parser.option("--tolerance", relative_tolerance) ||
        parser.option("--availability-tolerance", availability_tolerance)) {
    } else if (parser.operand(value)) {
      if (flags.files.size() == 2) parser.unexpected(value, "compare takes two reports, BASE and CANDIDATE");
      flags.files.push_back(value);
    } else if (!parser.done()) {
      parser.reject();
    }
  }
  if (!relative_tolerance.empty()) flags.tolerance.relative = parse_percent("--tolerance", relative_tolerance) / 100.0;
  if (!availability_tolerance.empty()) {
    flags.tolerance.availability_points = parse_percent("--availability-tolerance", availability_tolerance);
  }
  std::string fail_on;
  for (const std::string& spec : fail_on_specs) fail_on += (fail_on.empty() ? "" : ",") + spec;
  if (flags.files.size() != 2) throw UsageError("compare: expected two reports, BASE and CANDIDATE");
  if (flags.format != "text" && flags.format != "md" && flags.format != "json" && flags.format != "html") {
    throw UsageError("--format: expected text, md, json or html, got \"" + flags.format + "\"");
  }
  if (!fail_on.empty()) {
    try {
      flags.thresholds = reports::parse_thresholds(fail_on);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--fail-on: ") + e.what());
    }
  }
  if (flags.out_path == "-") flags.out_path.clear();  // standard output, as without --out
  return flags;
}

// The text to standard output (no --out) or to the --out file.
void deliver(OutputSet& outputs, const std::string& out_path, const std::string& text) {
  if (out_path.empty()) {
    std::cout << text;
  } else {
    outputs.stage(out_path, text);
    outputs.commit();
  }
}

// A simulated report against a live one: prediction against measurement (docs/live.md).
int compare_with_live(const CompareFlags& flags, OutputSet& outputs, const json& base, const json& candidate) {
  live::Calibration calibration;
  try {
    calibration = live::compare_sim_live(base, candidate, flags.tolerance);
  } catch (const std::exception& e) {
    throw InputError(flags.files[1], {}, "", e.what());
  }
  deliver(outputs, flags.out_path, calibration.text);
  return calibration.differences == 0 ? kExitPassed : kExitFailed;
}

reports::Comparison compare_views(const CompareFlags& flags, const ReadReport& base, const ReadReport& candidate) {
  reports::Comparison comparison;
  try {
    comparison = reports::compare_reports(base.view, candidate.view, flags.thresholds);
  } catch (const std::invalid_argument& e) {
    throw InputError(flags.files[1], {}, "", e.what());
  } catch (const json::exception& e) {
    throw InputError(flags.files[1], {}, "", std::string("expected a complete faultline report: ") + e.what());
  }
  // Rows are matched by name; two reports that share none would check no threshold and
  // report "no regression" about nothing.
  bool shared = false;
  for (const reports::VerdictChange& v : comparison.verdicts) shared = shared || (v.base && v.candidate);
  for (const reports::MetricDelta& m : comparison.metrics) shared = shared || (m.base_present && m.candidate_present);
  if (!shared) {
    throw InputError(flags.files[1], {}, "",
                     "nothing to compare: no client, service, fault or assertion of " + flags.files[0] +
                         " has a namesake here (rows are matched by name); compare reports of the same system");
  }
  return comparison;
}

std::string render_comparison(const reports::Comparison& comparison, const std::string& format) {
  if (format == "text") return reports::render_comparison_text(comparison);
  if (format == "md") return reports::render_comparison_markdown(comparison);
  if (format == "json") return reports::render_json(reports::comparison_json(comparison));
  return reports::render_comparison_html(comparison);
}

}  // namespace

int command_compare(const std::vector<std::string>& args) {
  CompareFlags flags = parse_compare_flags(args);
  OutputSet outputs;
  for (const std::string& file : flags.files) {
    outputs.add_input(file);
    outputs.add_input(file + "/sweep.json");  // a sweep folder stands for its sweep.json
  }
  if (!flags.out_path.empty()) outputs.add_output("--out", flags.out_path);
  const ReadReport base = read_report(flags.files[0]);
  const ReadReport candidate = read_report(flags.files[1]);
  if (base.view.run.mode == "live" || candidate.view.run.mode == "live") {
    return compare_with_live(flags, outputs, base.document, candidate.document);
  }
  const reports::Comparison comparison = compare_views(flags, base, candidate);
  deliver(outputs, flags.out_path, render_comparison(comparison, flags.format));
  return comparison.regressions == 0 ? kExitPassed : kExitFailed;
}

}  // namespace faultline::harness
