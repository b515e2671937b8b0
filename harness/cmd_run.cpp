// `faultline run`: one scenario, one seed (or the scenario a report embeds); the verdict, and
// the outputs asked for.
#include <cstdio>
#include <fstream>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli.hpp"
#include "harness/cmd_limits.hpp"
#include "harness/cmd_run_outputs.hpp"
#include "harness/commands.hpp"
#include "harness/duration.hpp"
#include "harness/interrupt.hpp"
#include "harness/memory_budget.hpp"
#include "harness/output.hpp"
#include "reports/trace.hpp"

namespace faultline::harness {
namespace {

struct RunFlags {
  LimitFlags limits;
  RunOutputs outputs;
  std::string scenario_path;
  std::string from_report;
  std::string trace_path;
  std::uint64_t trace_max_events = 200'000;
  std::optional<reports::TraceWindow> trace_window;
  std::optional<std::uint64_t> seed;
  bool check = false;
  bool stats = false;
};

// A trace cut short by its cap says so, with what it covers and how to see more.
void warn_trace_dropped(const std::string& path, const reports::Trace& trace, std::uint64_t max_events) {
  std::fprintf(stderr,
               "faultline: %s: the trace holds %llu events at most (--trace-max-events): %llu more were left out, so "
               "its requests cover only simulated time %s to %s. See more with a larger --trace-max-events (e.g. %llu) "
               "or a narrower --trace-window FROM..TO.\n",
               path.c_str(), static_cast<unsigned long long>(max_events),
               static_cast<unsigned long long>(trace.dropped_events), format_go_duration(trace.covered_from_ns).c_str(),
               format_go_duration(trace.covered_to_ns).c_str(),
               static_cast<unsigned long long>(max_events + trace.dropped_events));
}

RunFlags parse_run_flags(const std::vector<std::string>& raw) {
  RunFlags flags;
  ArgParser args("run", raw);
  RunOutputs& outputs = flags.outputs;
  while (!args.done()) {
    std::string value;
    if (take_limit_flag(args, flags.limits)) continue;
    if (args.option("--seed", value)) {
      // The same limit as a scenario's "seed" (2^53, exact in every JSON reader).
      flags.seed = parse_u64("--seed", value);
      if (*flags.seed > (std::uint64_t{1} << 53)) {
        throw UsageError("--seed: expected at most 9007199254740992 (2^53, as a scenario's \"seed\"), got " + value);
      }
    }
    else if (args.option("--report", outputs.report_path) || args.option("--junit", outputs.junit_path) ||
             args.option("--summary", outputs.summary_path) || args.option("--html", outputs.html_path) ||
             args.option("--timeseries", outputs.timeseries_path) || args.option("--from-report", flags.from_report) ||
             args.option("--trace", flags.trace_path) || args.flag("--github", outputs.github) ||
             args.flag("--check-determinism", flags.check) ||
             args.flag("--check-invariants", flags.limits.run.check_invariants) || args.flag("--stats", flags.stats)) {
    } else if (args.option("--metrics-format", value)) outputs.metrics_format = parse_metrics_format(value);
    else if (args.option("--trace-max-events", value)) flags.trace_max_events = parse_u64("--trace-max-events", value);
    else if (args.option("--trace-window", value)) flags.trace_window = parse_trace_window("--trace-window", value);
    else if (args.operand(value)) {
      if (!flags.scenario_path.empty()) args.unexpected(value, "run takes one scenario; use sweep for many seeds");
      flags.scenario_path = value;
    } else if (!args.done()) {
      args.reject();
    }
  }
  if (!flags.from_report.empty() && !flags.scenario_path.empty()) {
    throw UsageError("run: either a scenario or --from-report, not both (got " + flags.scenario_path + " and --from-report " +
                     flags.from_report + ")");
  }
  if (flags.scenario_path.empty() && flags.from_report.empty()) {
    throw UsageError("run: which scenario? (faultline run SCENARIO.json, or faultline run --from-report R.json)");
  }
  if (is_stdout(flags.trace_path) && writes_to_stdout(outputs)) {
    throw UsageError("only one output can go to standard output (\"-\")");
  }
  return flags;
}

// Peak resident memory of this process, from VmHWM in /proc/self/status. getrusage's ru_maxrss
// is not used: on Linux it carries the launching process's peak across fork and exec.
double peak_memory_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

void print_stats(const RunResult& result) {
  const double events = static_cast<double>(result.engine->results().events);
  std::fprintf(stderr, "stats: wall %.3f s, events %.0f, %.0f events/s, peak memory %.1f MiB\n", result.wall_s, events,
               result.wall_s > 0 ? events / result.wall_s : 0.0, peak_memory_mib());
}

Scenario load_for_run(const RunFlags& flags, std::uint64_t& report_seed) {
  try {
    return flags.from_report.empty() ? load_scenario_file(flags.scenario_path, flags.limits.load)
                                     : load_scenario_from_report(flags.from_report, flags.limits.load, report_seed);
  } catch (const InputError& e) {
    if (flags.outputs.github) print_github_input_error(std::cout, e.file, e.where, format_error(e));
    throw;
  } catch (const LimitError& e) {
    if (flags.outputs.github) print_github_input_error(std::cout, e.file, e.where, e.what());
    throw;
  }
}

// The exit code for a run that stopped early (interrupted, or a limit), with its message; -1
// for a run that completed. A run stopped by a resource limit has no verdict, but CI still gets
// the JUnit and summary it asked for, with a "simulation completes" testcase in error.
int early_stop(const std::string& scenario_path, const RunFlags& flags, const RunResult& result, const Scenario& scenario,
               OutputSet& files, const std::string& replay) {
  const sim::Results& r = result.engine->results();
  const char* path = scenario_path.c_str();
  const std::string at = format_go_duration(r.end_ns);
  if (result.interrupted || interrupted() != 0) {
    std::fprintf(stderr, "faultline: %s: interrupted at simulated time %s; nothing was written\n", path, at.c_str());
    return kExitLimit;
  }
  std::string limit;
  if (r.stop == sim::StopReason::in_flight_limit) {
    limit = "max_in_flight (more than " + std::to_string(flags.limits.run.engine.max_in_flight) +
            " calls in progress at simulated time " + at +
            ": the workload outruns capacity with nothing to bound it, e.g. no timeouts); raise it with --max-in-flight";
  } else if (r.stop == sim::StopReason::no_progress) {
    // Not a limit of ours but a model that cannot advance; said in its own words.
  } else if (result.memory_limit_hit) {
    limit = "max_memory (resident memory over the budget of " + bytes_text(flags.limits.run.max_memory_bytes) +
            " at simulated time " + at + "); raise it with --max-memory";
  } else if (r.stop == sim::StopReason::event_limit) {
    limit = "max_events (" + std::to_string(r.events) + " events processed by simulated time " + at +
            "); raise it with --max-events";
  } else if (result.wall_limit_hit) {
    limit = "max_wall (stopped at simulated time " + at + "); raise it with --max-wall";
  } else {
    return -1;
  }
  if (r.stop == sim::StopReason::no_progress) {
    std::fprintf(stderr,
                 "faultline: %s: no progress at simulated time %s: the closed-loop users of client \"%s\" get every answer "
                 "at once (for example all rejected, unavailable or refused) and think for no time, so simulated time "
                 "cannot advance; give the client a think_time, or fix what makes its requests fail at once\n",
                 path, at.c_str(), result.engine->config().clients[r.stalled_client].name.c_str());
  } else {
    std::fprintf(stderr, "faultline: %s: limit hit: %s\n", path, limit.c_str());
  }
  write_run_outputs(files, flags.outputs, scenario, result.report, replay, RunOutputSet::verdicts_only);
  files.commit();
  return kExitLimit;
}

}  // namespace

const char* const kRunUsage =
    "usage: faultline run SCENARIO.json [options]\n"
    "       faultline run --from-report R.json [options]\n"
    "\n"
    "Simulates the scenario once, checks its assertions, prints the verdict and writes the outputs\n"
    "asked for. SCENARIO.json may be \"-\" for standard input; one output path may be \"-\" for\n"
    "standard output (the verdict then goes to standard error).\n"
    "\n"
    "options:\n"
    "  --seed N               use seed N instead of the file's seed (or the report's)\n"
    "  --report R.json        the JSON report (byte-identical for the same scenario, seed, version)\n"
    "  --junit J.xml          JUnit XML, one testcase per assertion\n"
    "  --summary S.md         a Markdown summary (appended to $GITHUB_STEP_SUMMARY too when set)\n"
    "  --html H.html          a self-contained HTML report with charts\n"
    "  --timeseries T.csv     time series; --metrics-format csv|openmetrics|prometheus\n"
    "  --trace T.json         Chrome/Perfetto trace events; --trace-max-events N caps them (200000);\n"
    "                         --trace-window FROM..TO picks the simulated time (default: from 10s\n"
    "                         before the first fault to the end)\n"
    "  --github               ::error annotations for failed assertions and scenario errors\n"
    "  --check-determinism    run twice in lock step and compare every event (exit 3 on a mismatch)\n"
    "  --check-invariants     check conservation per client and instance at every bucket (exit 3,\n"
    "                         with the seed, simulated time and replay command, on a violation)\n"
    "  --from-report R.json   run the scenario a report embeds, with the report's seed\n"
    "  --stats                wall time, events, events/s and peak memory (VmHWM) to standard error\n"
    "\n";

int command_run(const std::vector<std::string>& raw) {
  RunFlags flags = parse_run_flags(raw);
  // Every output is checked before any work: none may overwrite the input, and so on.
  OutputSet files;
  const std::string& input = flags.from_report.empty() ? flags.scenario_path : flags.from_report;
  if (!is_stdout(input)) files.add_input(input);
  declare_run_outputs(files, flags.outputs);
  if (!flags.trace_path.empty()) files.add_output("--trace", output_target(flags.trace_path));
  std::uint64_t report_seed = 0;
  const Scenario scenario = load_for_run(flags, report_seed);
  const std::string scenario_path = flags.from_report.empty() ? flags.scenario_path : scenario.file;
  for (const std::string& note : scenario.notes) std::fprintf(stderr, "faultline: %s: note: %s\n", scenario_path.c_str(), note.c_str());
  check_memory_budget(scenario, flags.limits.run.max_memory_bytes);
  if (!flags.trace_path.empty()) {
    // Each served request is two trace events; the rest of the trace is small.
    flags.limits.run.record_spans = static_cast<std::size_t>(flags.trace_max_events / 2 + 1);
    if (!flags.trace_window) flags.trace_window = reports::default_trace_window(scenario.faults);
    flags.limits.run.span_window_from_ns = flags.trace_window->from_ns;
    flags.limits.run.span_window_to_ns = flags.trace_window->to_ns;
  }
  const std::uint64_t seed = flags.seed.value_or(flags.from_report.empty() ? scenario.model.seed : report_seed);
  RunResult result;
  if (flags.check) {
    DeterminismCheck outcome = check_determinism(scenario, seed, flags.limits.run);
    if (!outcome.divergence.empty()) {
      std::fprintf(stderr,
                   "faultline: %s: determinism check FAILED (seed %llu): %s\nThis is a bug in faultline; please "
                   "report the scenario, the seed and this message (see docs/determinism.md).\n",
                   scenario_path.c_str(), static_cast<unsigned long long>(seed), outcome.divergence.c_str());
      return kExitInternal;
    }
    result = std::move(outcome.first);
    std::fprintf(stderr, "faultline: determinism check passed: two runs, %llu events each, trace_hash %s, identical report bytes\n",
                 static_cast<unsigned long long>(result.engine->results().events),
                 reports::hex64(result.engine->results().trace_hash).c_str());
  } else {
    result = run_scenario(scenario, seed, flags.limits.run);
  }
  if (flags.stats) print_stats(result);
  const std::string replay = replay_command(scenario_path, flags.from_report, seed);
  if (const int code = early_stop(scenario_path, flags, result, scenario, files, replay); code >= 0) return code;
  write_run_outputs(files, flags.outputs, scenario, result.report, replay);
  std::optional<reports::Trace> trace;
  if (!flags.trace_path.empty()) {
    trace = reports::render_trace(*result.engine, scenario.faults, flags.trace_max_events, *flags.trace_window);
    files.stage(output_target(flags.trace_path), trace->text);
  }
  files.commit();
  if (trace && trace->dropped_events > 0) warn_trace_dropped(flags.trace_path, *trace, flags.trace_max_events);
  const bool stdout_taken = writes_to_stdout(flags.outputs) || is_stdout(flags.trace_path);
  print_verdict(stdout_taken ? std::cerr : std::cout, scenario, seed, result);
  if (flags.outputs.github) print_github_assertion_errors(std::cout, scenario, result.report);
  return result.passed ? kExitPassed : kExitFailed;
}

}  // namespace faultline::harness
