// The invariant checker (sim/invariant_checker.hpp): conservation per client and instance at
// every bucket boundary, apart from the model. It must be able to fail: a deliberate
// bookkeeping bug (FAULTLINE_TEST_BREAK_INVARIANT=1, honoured only by the test program
// faultline-test-hooks, never by faultline) is caught through a real program with exit 3, the
// seed, the simulated time and the replay command; and on library scenarios it changes nothing
// in the report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_helpers.hpp"
#include "sim/check.hpp"
#include "sim/invariant_checker.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("the conservation checker names the client or instance that does not balance", "[invariants]") {
  CHECK_NOTHROW(sim::InvariantChecker::check_client("web", 10, 7, 3));
  CHECK_THROWS_AS(sim::InvariantChecker::check_client("web", 10, 7, 2), sim::InvariantViolation);
  CHECK_THROWS_WITH(sim::InvariantChecker::check_client("web", 10, 7, 2),
                    "conservation of requests at client web: started 10 != finished 7 + outstanding 2");
  CHECK_NOTHROW(sim::InvariantChecker::check_instance("api/0", 10, 5, 1, 2, 2));
  CHECK_THROWS_WITH(sim::InvariantChecker::check_instance("api/0", 10, 5, 1, 2, 1),
                    "conservation of requests at instance api/0: arrivals 10 != answered 5 + dropped 1 + queued 2 + "
                    "in service 1");
}

namespace {

const std::string kScenario = kSourceDir + "/scenarios/crash-discovery.json";

// faultline-test-hooks: the faultline program with the test hook of tests/hooks/ linked in.
CommandResult run_with_hooks(const std::string& env, const std::string& args, const ScratchDir& scratch) {
  return run_command(env + " timeout -k 10 300 " + std::string(FAULTLINE_TEST_HOOKS_BINARY) + " " + args, scratch);
}

}  // namespace

TEST_CASE("run --check-invariants catches a bookkeeping bug: exit 3 with seed, time and replay, nothing written",
          "[invariants][cli]") {
  ScratchDir dir("invariants-break");
  const std::string report = dir / "report.json";
  const std::string bug = "FAULTLINE_CHECK_INVARIANTS=0 FAULTLINE_TEST_BREAK_INVARIANT=1";
  const auto broken = run_with_hooks(bug, "run " + kScenario + " --seed 2 --check-invariants --report " + report, dir);
  INFO(broken.err);
  CHECK(broken.exit_code == 3);
  // The first bucket boundary (1 s) already sees client 0's request that never was; the
  // simulated time is named once, after the violated invariant.
  CHECK_THAT(broken.err,
             Catch::StartsWith("faultline: invariant violated: conservation of requests at client ") &&
                 Catch::Contains(" != finished ") &&
                 Catch::Contains(" + outstanding ") &&
                 Catch::Contains("\n  seed 2, simulated time 1.000000000s\n"
                                 "  replay: faultline run " + kScenario + " --seed 2 --check-invariants\n"));
  CHECK(broken.err.find("simulated time") == broken.err.rfind("simulated time"));
  CHECK_FALSE(std::filesystem::exists(report));

  // Without the checker the same bug goes unnoticed: the checker is what catches it.
  const auto unchecked = run_with_hooks(bug, "run " + kScenario + " --seed 2 --report " + report, dir);
  CHECK((unchecked.exit_code == 0 || unchecked.exit_code == 1));
  CHECK(std::filesystem::exists(report));

  // Sweeps always check, with or without the flag.
  const auto sweep = run_with_hooks(bug, "sweep " + kScenario + " --seeds 1-2 --out " + (dir / "sweep"), dir);
  CHECK(sweep.exit_code == 3);
  CHECK_THAT(sweep.err, Catch::Contains("invariant violated: conservation of requests at client") &&
                            Catch::Contains("--check-invariants"));

  // The shipped program has no such hook: the variable changes nothing, the checker finds nothing.
  std::filesystem::remove(report);
  const auto shipped = run_faultline_env(bug, "run " + kScenario + " --seed 2 --check-invariants --report " + report, dir);
  INFO(shipped.err);
  CHECK((shipped.exit_code == 0 || shipped.exit_code == 1));
  CHECK(std::filesystem::exists(report));
}

TEST_CASE("run --check-invariants gives the same report as a plain run on library scenarios", "[invariants][cli]") {
  ScratchDir dir("invariants-same");
  // Crashes with resets and discovery; deadlines with cancellation and dropped expired work.
  for (const std::string name : {"crash-discovery", "slow-inventory-deadlines"}) {
    const std::string scenario = kSourceDir + "/scenarios/" + name + ".json";
    const std::string plain = dir / (name + "-plain.json");
    const std::string checked = dir / (name + "-checked.json");
    const auto a = run_faultline_env("FAULTLINE_CHECK_INVARIANTS=0", "run " + scenario + " --seed 3 --report " + plain, dir);
    const auto b = run_faultline("run " + scenario + " --seed 3 --check-invariants --report " + checked, dir);
    INFO(name << ": " << b.err);
    CHECK(b.exit_code == a.exit_code);
    CHECK(b.exit_code != 3);
    CHECK(read_file(plain) == read_file(checked));
  }
}
