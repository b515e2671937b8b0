// Parsing the command line and dispatching to the commands.
#include "harness/cli.hpp"

#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "harness/cmd_run_outputs.hpp"
#include "harness/commands.hpp"
#include "harness/duration.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/runner.hpp"
#include "harness/schema_text.hpp"
#include "harness/interrupt.hpp"
#include "reports/trace.hpp"

namespace faultline::harness {
namespace {

const char* kUsage =
    "usage: faultline <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.json [--seed N] [--report R.json] [--junit J.xml] [--summary S.md]\n"
    "      [--html H.html] [--timeseries T.csv [--metrics-format csv|openmetrics]]\n"
    "      [--trace T.json [--trace-max-events N]] [--check-determinism] [--github] [--stats] [limits]\n"
    "                         simulate once, check assertions, write the requested outputs;\n"
    "                         --check-determinism runs twice in lock step and compares every event\n"
    "  run --from-report R.json [--seed N] [outputs]\n"
    "                         run again the scenario a report embeds (with its seed by default)\n"
    "  validate FILE...       check scenarios without running them\n"
    "  sweep SCENARIO.json --seeds A-B --out DIR [--jobs N] [--shard K/N]\n"
    "                         run every seed, aggregate, list failing seeds with replay commands\n"
    "  merge DIR... --out DIR join the shard outputs of one sweep or exploration\n"
    "  explore SCENARIO.json --space single|pairs --out DIR [--seeds K] [--jobs N] [--shard K/N]\n"
    "                         run every fault the topology allows; a resilience matrix\n"
    "  shrink SCENARIO.json --seed S --out MIN.json [--seeds K --min-fail M]\n"
    "                         minimise a failing run's fault schedule to a smallest failing scenario\n"
    "  compare BASE.json CANDIDATE.json [--format text|md|json|html] [--fail-on SPEC]\n"
    "                         side by side with deltas; exit 1 on a regression\n"
    "  schema                 print the scenario JSON Schema\n"
    "  version                print the faultline version\n"
    "\n"
    "limits (exit 4 when hit):\n"
    "  --max-events N         events processed (default 2000000000)\n"
    "  --max-in-flight N      calls in progress at once (default 5000000)\n"
    "  --max-wall DURATION    wall-clock time for one run, e.g. 5m (default none)\n"
    "  --max-instances N      instances in a scenario (default 100000)\n"
    "  --max-services N, --max-clients N, --max-users N, --max-rate R, --max-sim-time DURATION\n"
    "\n"
    "exit codes: 0 assertions hold (compare: no regression), 1 an assertion fails\n"
    "            (compare: a regression), 2 bad input or usage, 3 internal error,\n"
    "            4 a resource limit was hit\n"
    "\n"
    "faultline COMMAND --help shows more for sweep, merge and compare; docs/reports.md has every\n"
    "output format, docs/ci.md and docs/scaling.md the CI and sweep recipes.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t parse_u64(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError(flag + ": expected a non-negative integer, got \"" + text + "\"");
  }
  return value;
}

double parse_positive(const std::string& flag, const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value > 0)) {
    throw UsageError(flag + ": expected a positive number, got \"" + text + "\"");
  }
  return value;
}

sim::TimeNs parse_duration_flag(const std::string& flag, const std::string& text) {
  std::string why;
  const auto value = parse_go_duration(text, &why);
  if (!value || *value <= 0) throw UsageError(flag + ": expected a positive duration like \"5m\", got \"" + text + "\"");
  return *value;
}

// Flags shared by every command that loads and runs scenarios.
struct CommonFlags {
  LoadLimits load;
  RunLimits run;
  bool stats = false;
  std::optional<std::uint64_t> seed;
};

// Consumes argv[i] (and its value) if it is a common flag; returns false otherwise.
bool take_common_flag(CommonFlags& flags, const std::vector<std::string>& args, std::size_t& i) {
  const std::string& arg = args[i];
  auto value = [&]() -> const std::string& {
    if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
    return args[++i];
  };
  if (arg == "--seed") flags.seed = parse_u64(arg, value());
  else if (arg == "--stats") flags.stats = true;
  else if (arg == "--max-events") flags.run.engine.max_events = parse_u64(arg, value());
  else if (arg == "--max-in-flight") flags.run.engine.max_in_flight = parse_u64(arg, value());
  else if (arg == "--max-wall") flags.run.max_wall_s = static_cast<double>(parse_duration_flag(arg, value())) / 1e9;
  else if (arg == "--max-instances") flags.load.max_instances = parse_u64(arg, value());
  else if (arg == "--max-services") flags.load.max_services = parse_u64(arg, value());
  else if (arg == "--max-clients") flags.load.max_clients = parse_u64(arg, value());
  else if (arg == "--max-users") flags.load.max_users = parse_u64(arg, value());
  else if (arg == "--max-rate") flags.load.max_rate_per_s = parse_positive(arg, value());
  else if (arg == "--max-sim-time") flags.load.max_duration_ns = parse_duration_flag(arg, value());
  else return false;
  return true;
}

void print_stats(const RunResult& result) {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  const double events = static_cast<double>(result.engine->results().events);
  std::fprintf(stderr, "stats: wall %.3f s, events %.0f, %.0f events/s, peak memory %.1f MiB\n", result.wall_s, events,
               result.wall_s > 0 ? events / result.wall_s : 0.0, static_cast<double>(usage.ru_maxrss) / 1024.0);
}

int command_run(const std::vector<std::string>& args) {
  CommonFlags flags;
  std::string scenario_path;
  std::string from_report;
  std::string trace_path;
  std::uint64_t trace_max_events = 200'000;
  bool check = false;
  RunOutputs outputs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (take_common_flag(flags, args, i)) continue;
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
      return args[++i];
    };
    if (args[i] == "--report") outputs.report_path = value();
    else if (args[i] == "--junit") outputs.junit_path = value();
    else if (args[i] == "--summary") outputs.summary_path = value();
    else if (args[i] == "--html") outputs.html_path = value();
    else if (args[i] == "--timeseries") outputs.timeseries_path = value();
    else if (args[i] == "--metrics-format") {
      const std::string& format = value();
      if (format == "csv") outputs.metrics_format = reports::MetricsFormat::csv;
      else if (format == "openmetrics") outputs.metrics_format = reports::MetricsFormat::openmetrics;
      else throw UsageError("--metrics-format: expected csv or openmetrics, got \"" + format + "\"");
    } else if (args[i] == "--github") outputs.github = true;
    else if (args[i] == "--from-report") from_report = value();
    else if (args[i] == "--trace") trace_path = value();
    else if (args[i] == "--trace-max-events") trace_max_events = parse_u64(args[i], value());
    else if (args[i] == "--check-determinism") check = true;
    else if (!args[i].empty() && args[i][0] == '-') {
      throw UsageError("run: unknown option " + args[i]);
    } else if (scenario_path.empty()) {
      scenario_path = args[i];
    } else {
      throw UsageError("run: one scenario at a time (got " + scenario_path + " and " + args[i] + ")");
    }
  }
  if (!from_report.empty() && !scenario_path.empty()) {
    throw UsageError("run: either a scenario or --from-report, not both (got " + scenario_path + " and --from-report " +
                     from_report + ")");
  }
  if (scenario_path.empty() && from_report.empty()) {
    throw UsageError("run: which scenario? (faultline run SCENARIO.json, or faultline run --from-report R.json)");
  }
  // Every output is checked before any work: none may overwrite the input, and so on.
  OutputSet files;
  files.add_input(from_report.empty() ? scenario_path : from_report);
  declare_run_outputs(files, outputs);
  if (!trace_path.empty()) files.add_output("--trace", trace_path);
  std::uint64_t report_seed = 0;
  Scenario scenario;
  try {
    scenario = from_report.empty() ? load_scenario_file(scenario_path, flags.load)
                                   : load_scenario_from_report(from_report, flags.load, report_seed);
  } catch (const InputError& e) {
    if (outputs.github) print_github_input_error(std::cout, e.file, e.where, format_error(e));
    throw;
  } catch (const LimitError& e) {
    if (outputs.github) print_github_input_error(std::cout, e.file, e.where, e.what());
    throw;
  }
  if (!from_report.empty()) scenario_path = scenario.file;
  if (!trace_path.empty()) {
    // Each served request is two trace events; the rest of the trace is small.
    flags.run.record_spans = static_cast<std::size_t>(trace_max_events / 2 + 1);
  }
  const std::uint64_t seed = flags.seed.value_or(from_report.empty() ? scenario.model.seed : report_seed);
  RunResult result;
  if (check) {
    DeterminismCheck outcome = check_determinism(scenario, seed, flags.run);
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
    result = run_scenario(scenario, seed, flags.run);
  }
  if (flags.stats) print_stats(result);
  const sim::Results& r = result.engine->results();
  if (result.interrupted || interrupted() != 0) {
    std::fprintf(stderr, "faultline: %s: interrupted at simulated time %s; nothing was written\n", scenario_path.c_str(),
                 format_go_duration(r.end_ns).c_str());
    return kExitLimit;
  }
  if (r.stop == sim::StopReason::in_flight_limit) {
    std::fprintf(stderr,
                 "faultline: %s: limit hit: max_in_flight (more than %llu calls in progress at simulated time %s: the "
                 "workload outruns capacity with nothing to bound it, e.g. no timeouts); raise it with --max-in-flight\n",
                 scenario_path.c_str(), static_cast<unsigned long long>(flags.run.engine.max_in_flight),
                 format_go_duration(r.end_ns).c_str());
    return kExitLimit;
  }
  if (r.stop == sim::StopReason::event_limit) {
    std::fprintf(stderr, "faultline: %s: limit hit: max_events (%llu events processed by simulated time %s); raise it with --max-events\n",
                 scenario_path.c_str(), static_cast<unsigned long long>(r.events), format_go_duration(r.end_ns).c_str());
    return kExitLimit;
  }
  if (result.wall_limit_hit) {
    std::fprintf(stderr, "faultline: %s: limit hit: max_wall (stopped at simulated time %s); raise it with --max-wall\n",
                 scenario_path.c_str(), format_go_duration(r.end_ns).c_str());
    return kExitLimit;
  }
  write_run_outputs(files, outputs, result.report, replay_command(scenario_path, from_report, seed));
  if (!trace_path.empty()) files.stage(trace_path, reports::render_trace(*result.engine, scenario.faults, trace_max_events));
  files.commit();
  print_verdict(std::cout, scenario, seed, result);
  if (outputs.github) print_github_assertion_errors(std::cout, scenario, result.report);
  return result.passed ? kExitPassed : kExitFailed;
}

int command_validate(const std::vector<std::string>& args) {
  CommonFlags flags;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (take_common_flag(flags, args, i)) continue;
    if (!args[i].empty() && args[i][0] == '-') throw UsageError("validate: unknown option " + args[i]);
    files.push_back(args[i]);
  }
  if (files.empty()) throw UsageError("validate: which files? (faultline validate FILE...)");
  int exit_code = kExitPassed;
  for (const std::string& file : files) {
    try {
      const JsonSource source = JsonSource::load(file);
      const std::vector<InputError> errors = schema_errors(source);
      if (!errors.empty()) {
        for (const InputError& e : errors) std::cerr << format_error(e) << "\n";
        exit_code = std::max(exit_code, static_cast<int>(kExitInput));
        continue;
      }
      load_scenario(source, flags.load);
      std::cout << file << ": valid\n";
    } catch (const InputError& e) {
      std::cerr << format_error(e) << "\n";
      exit_code = std::max(exit_code, static_cast<int>(kExitInput));
    } catch (const LimitError& e) {
      std::cerr << e.what() << "\n";
      exit_code = std::max(exit_code, static_cast<int>(kExitLimit));
    }
  }
  return exit_code;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::fputs(kUsage, args.empty() ? stderr : stdout);
      return args.empty() ? kExitInput : kExitPassed;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "run") return command_run(args);
    if (command == "validate") return command_validate(args);
    if (command == "schema") {
      std::fputs(scenario_schema_text(), stdout);
      return kExitPassed;
    }
    if (command == "version" || command == "--version") {
      std::printf("faultline %s\n", reports::kVersion);
      return kExitPassed;
    }
    const int code = run_extra_command(command, args);
    if (code >= 0) return code;
    throw UsageError("unknown command \"" + command + "\"");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "faultline: %s\n\n%s", e.what(), kUsage);
    return kExitInput;
  } catch (const InputError& e) {
    std::fprintf(stderr, "faultline: %s\n", format_error(e).c_str());
    return kExitInput;
  } catch (const LimitError& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitLimit;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitInput;
  } catch (const OutputsInterrupted& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitLimit;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "faultline: out of memory (a resource limit; reduce the scenario's size)\n");
    return kExitLimit;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace faultline::harness
