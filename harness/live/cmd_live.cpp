// `faultline live` and `faultline proxy`: parsing their command lines and running them.
#include "harness/live/cmd_live.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/cmd_run_outputs.hpp"
#include "harness/interrupt.hpp"
#include "harness/output.hpp"
#include "harness/live/binding.hpp"
#include "harness/live/live_run.hpp"
#include "harness/live/toxiproxy_api.hpp"
#include "harness/loader.hpp"
#include "reports/report.hpp"

namespace faultline::live {

const char* kLiveUsage =
    "usage: faultline live SCENARIO.json --bind BINDING.json [--seed N] [--skip-unsupported]\n"
    "                      [--report R.json] [--junit J.xml] [--summary S.md] [--html H.html]\n"
    "                      [--timeseries T.csv [--metrics-format csv|openmetrics]]\n"
    "                      [--trace T.json [--trace-max-events N] [--trace-window FROM..TO]]\n"
    "\n"
    "Runs the scenario against real services: one proxy per bound instance applies the\n"
    "scenario's faults at their instants, an open-loop generator sends the clients' requests at\n"
    "the seeded arrival instants (latency measured from each intended send instant), and the\n"
    "same assertions and outputs as `run` follow (\"mode\": \"live\"). A fault without a live\n"
    "meaning is refused (exit 2) unless --skip-unsupported. SIGINT stops the load, removes the\n"
    "faults, closes the listeners and writes nothing (exit 4). --trace writes Chrome/Perfetto\n"
    "trace events: the faults, breaker states, proxies down and up, and each request an HTTP-mode\n"
    "proxy forwarded as a span on its instance's track (--trace-max-events caps them, 200000;\n"
    "--trace-window FROM..TO keeps the requests overlapping that time from the run's start, by\n"
    "default from 10s before the first fault, as for run).\n"
    "See docs/live.md.\n";

const char* kProxyUsage =
    "usage: faultline proxy --api HOST:PORT [--bind BINDING.json --scenario SCENARIO.json]\n"
    "\n"
    "Runs the fault-injecting proxy alone with a Toxiproxy-compatible HTTP API on HOST:PORT\n"
    "(GET/POST /proxies, /populate, /proxies/NAME, /proxies/NAME/toxics[/TOXIC], /reset,\n"
    "/version, /metrics). With a binding, one proxy per bound instance is created at start.\n"
    "Runs until SIGINT or SIGTERM (exit 0). See docs/live.md.\n";

namespace {

using harness::UsageError;

std::string percent_text(std::uint64_t ok, std::uint64_t all) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f%%", all == 0 ? 100.0 : 100.0 * static_cast<double>(ok) / static_cast<double>(all));
  return text;
}

void print_live_verdict(std::ostream& out, const harness::Scenario& scenario, std::uint64_t seed, const LiveResult& result) {
  const auto& report = result.report;
  out << "scenario: " << scenario.name << " (live, seed " << seed << ")\n";
  for (const auto& c : report["clients"]) {
    const auto& t = c["totals"];
    const std::uint64_t answered = t["ok"].get<std::uint64_t>() + t["errors"].get<std::uint64_t>() +
                                   t["timeouts"].get<std::uint64_t>() + t["rejected"].get<std::uint64_t>() +
                                   t["unavailable"].get<std::uint64_t>();
    char line[256];
    std::snprintf(line, sizeof line, "  client %-16s requests %llu  ok %llu  failed %llu  availability %s  p50 %.3fms  p99 %.3fms\n",
                  c["name"].get<std::string>().c_str(), static_cast<unsigned long long>(t["requests"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(t["ok"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(answered - t["ok"].get<std::uint64_t>()),
                  percent_text(t["ok"].get<std::uint64_t>(), answered).c_str(), c["latency"]["p50_ms"].get<double>(),
                  c["latency"]["p99_ms"].get<double>());
    out << line;
  }
  for (const auto& a : result.assertions) {
    out << "  [" << (a.passed ? "PASS" : "FAIL") << "] " << a.name << ": expected " << a.expected << ", observed "
        << a.observed << "\n";
  }
  const auto& generator = report["live"]["generator"];
  if (generator["bottleneck"].get<bool>()) {
    out << "  WARNING: the load generator fell behind its schedule (p99 lateness " << generator["lateness_p99_ms"].dump()
        << " ms): the latencies include its own delay, not only the system's\n";
  }
  out << (result.passed ? "PASS" : "FAIL") << "  live run started " << report["live"]["started_at"].get<std::string>()
      << " on " << report["live"]["host"].get<std::string>() << "\n";
}

// Every proxied connection holds two descriptors and every pooled one of the generator one, so
// the soft limit on open files (often 1,024) is raised to the hard limit, as HAProxy does.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

// `faultline live`'s command line, parsed and checked.
struct LiveArgs {
  std::string scenario_path, binding_path, trace_path;
  bool skip_unsupported = false;
  harness::RunOutputs outputs;
  std::optional<std::uint64_t> seed;
  std::uint64_t trace_max_events = 200'000;
  std::optional<reports::TraceWindow> trace_window;
};

LiveArgs parse_live_args(const std::vector<std::string>& raw) {
  LiveArgs out;
  std::string seed_text, metrics_format, trace_max_text, trace_window_text;
  harness::RunOutputs& outputs = out.outputs;
  harness::ArgParser args("live", raw);
  while (!args.done()) {
    std::string operand;
    if (args.option("--bind", out.binding_path) || args.option("--seed", seed_text) ||
        args.flag("--skip-unsupported", out.skip_unsupported) || args.option("--report", outputs.report_path) ||
        args.option("--junit", outputs.junit_path) || args.option("--summary", outputs.summary_path) ||
        args.option("--html", outputs.html_path) || args.option("--timeseries", outputs.timeseries_path) ||
        args.option("--metrics-format", metrics_format) || args.flag("--github", outputs.github) ||
        args.option("--trace", out.trace_path) || args.option("--trace-max-events", trace_max_text) ||
        args.option("--trace-window", trace_window_text)) {
    } else if (args.operand(operand)) {
      if (!out.scenario_path.empty()) args.unexpected(operand, "live runs one scenario at a time");
      out.scenario_path = operand;
    } else if (!args.done()) {
      args.reject();
    }
  }
  if (!seed_text.empty()) out.seed = harness::parse_u64("--seed", seed_text);
  if (!metrics_format.empty()) outputs.metrics_format = harness::parse_metrics_format(metrics_format);
  if (out.scenario_path.empty()) throw UsageError("live: which scenario? (faultline live SCENARIO.json --bind BINDING.json)");
  if (out.binding_path.empty()) throw UsageError("live: --bind BINDING.json is required (where the real services are)");
  if (!trace_max_text.empty()) out.trace_max_events = harness::parse_u64("--trace-max-events", trace_max_text);
  if (!trace_window_text.empty()) out.trace_window = harness::parse_trace_window("--trace-window", trace_window_text);
  if (harness::is_stdout(out.trace_path) && harness::writes_to_stdout(outputs)) {
    throw UsageError("only one output can go to standard output (\"-\")");
  }
  return out;
}

// Names every fault or client policy without a live meaning; false (the run must not start)
// when there are any and --skip-unsupported was not given.
bool accept_unsupported(const LiveArgs& args, const harness::Scenario& scenario, const Binding& binding) {
  std::vector<std::string> unsupported = unsupported_faults(scenario, binding);
  for (std::string& line : unsupported_client_policies(scenario)) unsupported.push_back(std::move(line));
  if (unsupported.empty()) return true;
  for (const std::string& line : unsupported) {
    std::fprintf(stderr, "faultline: %s: %s%s\n", args.scenario_path.c_str(), line.c_str(),
                 args.skip_unsupported ? " (skipped: --skip-unsupported)" : "");
  }
  if (args.skip_unsupported) return true;
  std::fprintf(stderr, "faultline: %s: %zu fault(s) or client policies cannot be applied live; nothing was run (--skip-unsupported runs without them)\n",
               args.scenario_path.c_str(), unsupported.size());
  return false;
}

// Writes the outputs asked for (all or nothing), says what the trace left out, prints the verdict.
void finish_live(const LiveArgs& args, harness::OutputSet& files, const harness::Scenario& scenario,
                 const LiveOptions& options, const LiveResult& result) {
  const std::string replay = "faultline live " + harness::shell_quote(args.scenario_path) + " --bind " +
                             harness::shell_quote(args.binding_path) + " --seed " + std::to_string(options.seed);
  harness::write_run_outputs(files, args.outputs, scenario, result.report, replay);
  if (!args.trace_path.empty()) files.stage(harness::output_target(args.trace_path), result.trace);
  files.commit();
  if (result.trace_dropped > 0) {
    std::fprintf(stderr,
                 "faultline: %s: the trace holds %llu events at most (--trace-max-events): %llu more were left out "
                 "(see them with --trace-max-events %llu)\n",
                 args.trace_path.c_str(), static_cast<unsigned long long>(options.trace_max_events),
                 static_cast<unsigned long long>(result.trace_dropped),
                 static_cast<unsigned long long>(options.trace_max_events + result.trace_dropped));
  }
  const bool stdout_taken = harness::writes_to_stdout(args.outputs) || harness::is_stdout(args.trace_path);
  print_live_verdict(stdout_taken ? std::cerr : std::cout, scenario, options.seed, result);
  if (args.outputs.github) harness::print_github_assertion_errors(std::cout, scenario, result.report);
}

}  // namespace

int command_live(const std::vector<std::string>& raw) {
  const LiveArgs args = parse_live_args(raw);
  // Every output is checked before any work (as for run): none may overwrite an input.
  harness::OutputSet files;
  files.add_input(args.scenario_path);
  files.add_input(args.binding_path);
  harness::declare_run_outputs(files, args.outputs);
  if (!args.trace_path.empty()) files.add_output("--trace", harness::output_target(args.trace_path));
  const harness::Scenario scenario = harness::load_scenario_file(args.scenario_path);
  const harness::JsonSource binding_source = harness::JsonSource::load(args.binding_path);
  const Binding binding = parse_binding(binding_source, scenario);
  if (!accept_unsupported(args, scenario, binding)) return harness::kExitInput;
  check_binding_reachable(binding_source, binding);
  raise_open_file_limit();
  LiveOptions options;
  options.seed = args.seed.value_or(scenario.model.seed);
  options.skip_unsupported = args.skip_unsupported;
  if (!args.trace_path.empty()) {
    options.trace_max_events = static_cast<std::size_t>(std::max<std::uint64_t>(args.trace_max_events, 1));
    options.trace_window = args.trace_window ? *args.trace_window : reports::default_trace_window(scenario.faults);
  }
  const LiveResult result = run_live(scenario, binding, options);
  if (result.interrupted || harness::interrupted() != 0) {
    std::fprintf(stderr, "faultline: %s: live run interrupted: load stopped, faults removed, listeners closed; nothing was written\n",
                 args.scenario_path.c_str());
    return harness::kExitLimit;
  }
  finish_live(args, files, scenario, options, result);
  return result.passed ? harness::kExitPassed : harness::kExitFailed;
}

int command_proxy(const std::vector<std::string>& raw) {
  std::string api, binding_path, scenario_path;
  harness::ArgParser args("proxy", raw);
  while (!args.done()) {
    if (args.option("--api", api) || args.option("--bind", binding_path) || args.option("--scenario", scenario_path)) {
    } else {
      args.reject();
    }
  }
  if (api.empty()) throw UsageError("proxy: --api HOST:PORT is required (e.g. --api 127.0.0.1:8474)");
  if (!parse_host_port(api)) throw UsageError("proxy: --api: expected HOST:PORT like 127.0.0.1:8474, got \"" + api + "\"");
  if (!binding_path.empty() && scenario_path.empty()) {
    throw UsageError("proxy: --bind needs --scenario SCENARIO.json (the binding names the scenario's services)");
  }
  std::vector<ProxyConfig> initial;
  if (!binding_path.empty()) {
    const harness::Scenario scenario = harness::load_scenario_file(scenario_path);
    const harness::JsonSource source = harness::JsonSource::load(binding_path);
    const Binding binding = parse_binding(source, scenario);
    check_binding_listen(source, binding);
    for (const BoundService& service : binding.services) {
      for (const BoundInstance& bound : service.instances) {
        ProxyConfig config;
        config.name = scenario.model.services[service.service].name + "/" + std::to_string(bound.index);
        config.listen = bound.listen;
        config.upstream = bound.upstream;
        config.http = service.http;
        initial.push_back(std::move(config));
      }
    }
  }
  raise_open_file_limit();
  return run_toxiproxy_server(api, initial);
}

}  // namespace faultline::live
