// The verdict printout, and the hook for commands beyond run/validate/schema.
#include "harness/commands.hpp"

#include <cstdio>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/cmd_compare.hpp"
#include "harness/explore.hpp"
#include "harness/shrink.hpp"
#include "harness/sweep.hpp"

namespace faultline::harness {
namespace {

const char* kSweepUsage =
    "usage: faultline sweep SCENARIO.json --seeds A-B --out DIR [--jobs N] [--shard K/N] [--max-events N] [--resume]\n"
    "                       [--swarm]\n"
    "\n"
    "Runs the scenario once per seed (A to B inclusive) on N worker threads (default: one per CPU)\n"
    "and writes DIR/sweep.json (the aggregate), DIR/seeds.json (one record per seed) and\n"
    "DIR/summary.md. --shard K/N runs only the K-th of N equal slices of the seeds; join the\n"
    "shards with faultline merge. Exit 0 when every seed passes, 1 when one fails, 4 when a seed\n"
    "hit a limit. An interrupted sweep (SIGINT/SIGTERM) keeps its finished seeds in\n"
    "DIR/progress.json and exits 4; the same command with --resume runs only the rest and\n"
    "writes the same aggregate as an uninterrupted sweep. --swarm draws each seed's fault\n"
    "parameters and extra faults from the scenario's \"swarm\" ranges (docs/explore.md) and keeps\n"
    "the drawn scenario of each failing seed in DIR/swarm/seed-N.json for replay and shrink.\n";

const char* kMergeUsage =
    "usage: faultline merge DIR... --out DIR\n"
    "\n"
    "Joins the shard outputs of one sweep (each DIR holds a seeds.json) into DIR: the same\n"
    "sweep.json, seeds.json and summary.md as one unsharded sweep would write. Exit 0 when merged.\n";

const char* kCompareUsage =
    "usage: faultline compare BASE.json CANDIDATE.json [--format text|md|json|html] [--out FILE]\n"
    "                         [--fail-on SPEC[,SPEC...]]\n"
    "\n"
    "Compares two run reports or two sweep reports (a sweep folder works too) side by side.\n"
    "SPEC is METRIC[@NAME]=[+|-]AMOUNT[%|ms|s|...], e.g. availability=-0.1%,p99=+10%,recovery=+5s.\n"
    "Metrics: availability errors timeouts rejected retries p50 p90 p99 p99.9 max recovery\n"
    "breaker_opens. Exit 1 on a regression (a threshold crossed, or an assertion newly failing),\n"
    "0 otherwise. See docs/reports.md.\n";

const char* kExploreUsage =
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

const char* kShrinkUsage =
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

}  // namespace

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

int run_extra_command(const std::string& command, const std::vector<std::string>& args) {
  const char* usage = command == "sweep"     ? kSweepUsage
                      : command == "merge"   ? kMergeUsage
                      : command == "compare" ? kCompareUsage
                      : command == "explore" ? kExploreUsage
                      : command == "shrink"  ? kShrinkUsage
                                             : nullptr;
  if (usage == nullptr) return -1;
  try {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::fputs(usage, stdout);
      return kExitPassed;
    }
    if (command == "sweep") return command_sweep(args);
    if (command == "merge") return command_merge(args);
    if (command == "explore") return command_explore(args);
    if (command == "shrink") return command_shrink(args);
    return command_compare(args);
  } catch (const CommandUsageError& e) {
    std::fprintf(stderr, "faultline: %s\n\n%s", e.what(), usage);
    return kExitInput;
  }
}

}  // namespace faultline::harness
