// The command table, and the verdict printout shared by run and the sweep's replay lines.
#include "harness/commands.hpp"

#include <cstdio>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/cmd_limits.hpp"
#include "harness/explore.hpp"
#include "harness/live/binding.hpp"
#include "harness/live/cmd_live.hpp"
#include "harness/schema_text.hpp"
#include "harness/shrink.hpp"
#include "harness/sweep.hpp"
#include "reports/report.hpp"

namespace faultline::harness {

const char* const kSweepUsage =
    "usage: faultline sweep SCENARIO.json --seeds A-B --out DIR [options]\n"
    "\n"
    "Runs the scenario once per seed (A to B inclusive) on N worker threads (default: one per CPU)\n"
    "and writes DIR/sweep.json (the aggregate), DIR/seeds.json (one record per seed) and\n"
    "DIR/summary.md. Exit 0 when every seed passes, 1 when one fails, 4 when a seed hit a limit.\n"
    "An interrupted sweep (SIGINT/SIGTERM) keeps its finished seeds in DIR/progress.json and exits\n"
    "4; the same command with --resume runs only the rest and writes the same aggregate.\n"
    "\n"
    "options:\n"
    "  --jobs N               worker threads (default: one per CPU)\n"
    "  --shard K/N            run only the K-th of N equal slices of the seeds; join with merge\n"
    "  --resume               finish an interrupted sweep from DIR/progress.json\n"
    "  --swarm                draw each seed's fault parameters and extra faults from the scenario's\n"
    "                         \"swarm\" ranges (docs/explore.md); the drawn scenario of each failing\n"
    "                         seed is kept in DIR/swarm/seed-N.json for replay and shrink\n"
    "  --junit J.xml          JUnit XML: one testcase per assertion, with its pass ratio and failing seeds\n"
    "  --summary S.md         the Markdown summary (appended to $GITHUB_STEP_SUMMARY too when set)\n"
    "  --github               ::error annotations for assertions that fail on some seed\n"
    "  --quiet                no progress on standard error (default: a live line on a terminal;\n"
    "                         elsewhere, or with NO_COLOR or TERM=dumb, a plain line every ~10 s\n"
    "                         or 10% of the seeds)\n"
    "\n";

const char* const kMergeUsage =
    "usage: faultline merge DIR... --out DIR\n"
    "\n"
    "Joins the shard outputs of one sweep (each DIR holds a seeds.json) into DIR: the same\n"
    "sweep.json, seeds.json and summary.md as one unsharded sweep would write. Exit 0 when merged.\n";

const char* const kCompareUsage =
    "usage: faultline compare BASE.json CANDIDATE.json [--format text|md|json|html] [--out FILE]\n"
    "                         [--fail-on SPEC[,SPEC...]]\n"
    "\n"
    "Compares two run reports or two sweep reports (a sweep folder works too) side by side.\n"
    "SPEC is METRIC[@NAME]=[+|-]AMOUNT[%|ms|s|...], e.g. availability=-0.1%,p99=+10%,recovery=+5s.\n"
    "Metrics: availability errors timeouts rejected retries p50 p90 p99 p99.9 max recovery\n"
    "breaker_opens. Exit 1 on a regression (a threshold crossed, or an assertion newly failing),\n"
    "0 otherwise. See docs/reports.md.\n"
    "\n"
    "A simulated report against a live one (faultline live) shows prediction against measurement\n"
    "and exits 1 where they differ beyond --tolerance PCT (relative, default 20%) or\n"
    "--availability-tolerance POINTS (percentage points, default 0.5). See docs/live.md.\n";

namespace {

const char* const kExploreUsage =
    "usage: faultline explore SCENARIO.json --space single|pairs --out DIR [--seeds K] [--jobs N]\n"
    "                         [--shard K/N] [--keep-faults] [--max-events N]\n"
    "\n"
    "Derives a fault space from the scenario's topology (each instance crashed, hung and slowed;\n"
    "each zone down; each zone pair partitioned; each dependency slow or erroring; the registry\n"
    "unavailable), runs every candidate (single faults, or pruned pairs) on seeds 1..K (default 3)\n"
    "and writes the resilience matrix: DIR/explore.json, summary.md, explore.html (heat map),\n"
    "junit.xml (one testcase per candidate), runs.json (for merge) and a reproducing scenario per\n"
    "failing candidate in DIR/scenarios/. The scenario's own faults are removed unless\n"
    "--keep-faults. Exit 0 when no candidate fails, 1 otherwise. See docs/explore.md.\n";

const char* const kShrinkUsage =
    "usage: faultline shrink SCENARIO.json --seed S --out MIN.json [--seeds K --min-fail M]\n"
    "                        [--assertion NAME] [--jobs N] [--max-runs N]\n"
    "       faultline shrink --from-report REPORT.json [--seed S] --out MIN.json [...]\n"
    "\n"
    "Materialises the failing run's concrete fault schedule (every chaos-monkey kill becomes an\n"
    "explicit crash at its instant) and minimises it by delta debugging: drops faults, shortens\n"
    "windows, moves instants later, as long as the same assertion still fails on at least M of\n"
    "the K seeds S..S+K-1 (default 1 of 1). Writes the minimal scenario, with a description of\n"
    "what was removed, and prints its replay command and the number of runs it took.\n"
    "Exit 0 when written; 2 when the starting run passes (nothing to shrink).\n";

const char* const kSchemaUsage =
    "usage: faultline schema [--binding]\n"
    "\n"
    "Prints the scenario JSON Schema (draft-07) that validate and run check files against; the\n"
    "same as scenarios/faultline.schema.json. Point an editor at it for completion and checks.\n"
    "With --binding, prints live mode's binding schema instead (harness/live/binding.schema.json,\n"
    "what `faultline live --bind` checks against; see docs/live.md).\n";

const char* const kVersionUsage =
    "usage: faultline version   (or faultline --version, faultline -V)\n"
    "\n"
    "Prints \"faultline VERSION\".\n";

const char* const kHelpUsage =
    "usage: faultline help [COMMAND]\n"
    "\n"
    "Prints the list of commands, or COMMAND's usage (the same as faultline COMMAND --help).\n";

int no_arguments(const std::string& command, const std::vector<std::string>& raw) {
  ArgParser args(command, raw);
  if (!args.done()) args.reject();
  return kExitPassed;
}

int command_schema(const std::vector<std::string>& raw) {
  ArgParser args("schema", raw);
  bool binding = false;
  while (!args.done()) {
    if (!args.flag("--binding", binding)) args.reject();
  }
  std::fputs(binding ? live::binding_schema_text() : scenario_schema_text(), stdout);
  return kExitPassed;
}

int command_version(const std::vector<std::string>& args) {
  no_arguments("version", args);
  std::printf("faultline %s\n", reports::kVersion);
  return kExitPassed;
}

int command_help(const std::vector<std::string>& args);

// Add a command here (in the order the overview lists them) and define its function and usage
// in its own cmd_*.cpp.
const Command kCommands[] = {
    {"run", "SCENARIO.json [options]", "simulate once, check the assertions, write the outputs", &kRunUsage, command_run, true},
    {"validate", "FILE...", "check scenarios without running them (every error, located)", &kValidateUsage,
     command_validate, true},
    {"sweep", "SCENARIO.json --seeds A-B --out DIR", "run every seed, aggregate, list failing seeds", &kSweepUsage,
     command_sweep, true},
    {"merge", "DIR... --out DIR", "join the shard outputs of one sweep or exploration", &kMergeUsage, command_merge},
    {"explore", "SCENARIO.json --space single|pairs --out DIR", "run every fault the topology allows; a resilience matrix",
     &kExploreUsage, command_explore},
    {"shrink", "SCENARIO.json --seed S --out MIN.json", "minimise a failing run's faults to a smallest failing scenario",
     &kShrinkUsage, command_shrink},
    {"compare", "BASE.json CANDIDATE.json", "two reports side by side; exit 1 on a regression", &kCompareUsage,
     command_compare},
    {"live", "SCENARIO.json --bind BINDING.json", "the scenario against real services, through fault-injecting proxies",
     &live::kLiveUsage, live::command_live},
    {"proxy", "--api HOST:PORT", "the fault-injecting proxy alone, with a Toxiproxy-compatible API", &live::kProxyUsage,
     live::command_proxy},
    {"init", "[--template NAME] FILE", "write a small, commented starter scenario", &kInitUsage, command_init},
    {"schema", "[--binding]", "print the scenario (or live binding) JSON Schema", &kSchemaUsage, command_schema},
    {"version", "", "print the faultline version", &kVersionUsage, command_version},
    {"help", "[COMMAND]", "this list, or one command's usage", &kHelpUsage, command_help},
};

}  // namespace

std::span<const Command> command_table() { return kCommands; }

void print_overview(std::FILE* out) {
  std::fputs("usage: faultline <command> [options]\n\ncommands:\n", out);
  for (const Command& command : kCommands) {
    std::string line = "  " + std::string(command.name);
    if (!command.synopsis.empty()) line += " " + std::string(command.synopsis);
    if (line.size() < 46) line.resize(46, ' ');
    else line += "\n" + std::string(46, ' ');
    std::fprintf(out, "%s%.*s\n", line.c_str(), static_cast<int>(command.summary.size()), command.summary.data());
  }
  std::fputs(
      "\n"
      "faultline COMMAND --help (or faultline help COMMAND) shows a command's options;\n"
      "faultline --version (-V) prints the version.\n"
      "\n"
      "exit codes: 0 assertions hold (compare: no regression), 1 an assertion fails\n"
      "            (compare: a regression), 2 bad input or usage, 3 internal error,\n"
      "            4 a resource limit was hit or the run was interrupted\n"
      "\n"
      "docs/cli.md has every command and flag, docs/tutorial.md a first scenario.\n",
      out);
}

void print_command_usage(std::FILE* out, const Command& command) {
  std::fputs(*command.usage, out);
  if (command.limit_flags) std::fputs(kLimitsHelp, out);
}

const Command* find_command(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void print_verdict(std::ostream& out, const Scenario& scenario, std::uint64_t seed, const RunResult& result) {
  const sim::Results& r = result.engine->results();
  out << "scenario: " << scenario.name << " (seed " << seed << ")\n";
  for (const auto& c : r.clients) {
    char line[256];
    const std::uint64_t failed = c.totals.errors + c.totals.timeouts + c.totals.rejected + c.totals.unavailable;
    std::snprintf(line, sizeof line, "  client %-16s requests %llu  ok %llu  failed %llu  retries %llu  p50 %.3fms  p99 %.3fms\n",
                  c.name.c_str(), static_cast<unsigned long long>(c.totals.requests),
                  static_cast<unsigned long long>(c.totals.ok), static_cast<unsigned long long>(failed),
                  static_cast<unsigned long long>(c.totals.retries), static_cast<double>(c.latency.percentile(50)) / 1e6,
                  static_cast<double>(c.latency.percentile(99)) / 1e6);
    out << line;
  }
  for (const auto& a : result.assertions) {
    out << "  [" << (a.passed ? "PASS" : "FAIL") << "] " << a.name << ": expected " << a.expected << ", observed "
        << a.observed << "\n";
  }
  out << (result.passed ? "PASS" : "FAIL") << "  trace_hash " << reports::hex64(r.trace_hash) << "\n";
}


namespace {

int command_help(const std::vector<std::string>& raw) {
  ArgParser args("help", raw);
  std::string name;
  if (!args.operand(name)) {
    if (!args.done()) args.reject();
    print_overview(stdout);
    return kExitPassed;
  }
  if (!args.done()) args.reject();
  const Command* command = find_command(name);
  if (command == nullptr) throw UsageError("help: unknown command \"" + name + "\"");
  print_command_usage(stdout, *command);
  return kExitPassed;
}

}  // namespace

}  // namespace faultline::harness
