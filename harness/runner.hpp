// Running one scenario once: engine, faults, assertions, report.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faults/injector.hpp"
#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "sim/engine.hpp"

namespace faultline::harness {

struct RunLimits {
  sim::EngineLimits engine;
  double max_wall_s = 0;       // 0: no wall-clock limit (--max-wall)
  std::uint64_t max_memory_bytes = 0;  // 0: none; resident memory checked during the run (--max-memory)
  std::size_t record_spans = 0;  // >0: record up to this many served requests (--trace)
  sim::TimeNs span_window_from_ns = 0;  // only requests overlapping [from, to) (--trace-window)
  sim::TimeNs span_window_to_ns = std::numeric_limits<sim::TimeNs>::max();
  // Run the invariant checker (sim/invariant_checker.hpp): run --check-invariants, every sweep,
  // and every run while FAULTLINE_CHECK_INVARIANTS=1 is set (the test suite sets it).
  bool check_invariants = false;
};

// Whether FAULTLINE_CHECK_INVARIANTS=1 is set: the checker is then on in every run.
bool invariant_checks_from_environment();

// The test hook: true makes every run start with a deliberate bookkeeping bug (client 0 and
// instance 0 each count one request that never was), so tests can show the invariant checker
// firing through a real program. Always false in `faultline`; only the test program
// faultline-test-hooks (tests/hooks/) defines it otherwise, from FAULTLINE_TEST_BREAK_INVARIANT.
bool break_invariant_for_test();

// An engine invariant failed during a run (sim::InvariantViolation): a simulator bug. The
// message names the violation, the seed, the simulated time and the command that replays the
// run; the CLI exits 3 with it.
struct InvariantFailure : std::runtime_error {
  InvariantFailure(const std::string& message, std::uint64_t seed_value, sim::TimeNs at)
      : std::runtime_error(message), seed(seed_value), at_ns(at) {}
  std::uint64_t seed;
  sim::TimeNs at_ns;
};
InvariantFailure invariant_failure(const Scenario& scenario, std::uint64_t seed, sim::TimeNs at_ns, const std::string& what);

struct RunResult {
  std::unique_ptr<sim::Engine> engine;
  std::vector<reports::AssertionResult> assertions;
  nlohmann::ordered_json report;
  bool passed = false;
  bool wall_limit_hit = false;
  bool memory_limit_hit = false;
  bool interrupted = false;  // SIGINT or SIGTERM stopped the run
  double wall_s = 0;
};

// An engine with the scenario's faults attached, ready to step.
struct PreparedRun {
  std::unique_ptr<sim::Engine> engine;
  std::unique_ptr<faults::Injector> injector;
};
PreparedRun prepare_run(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits = {});

// What a finished engine amounts to: its assertions judged, its report built, and its verdict
// (analysis::run_passed; never read back out of the report). The CLI, sweeps and the GUI's
// recordings all judge runs through this.
struct Judgement {
  std::vector<reports::AssertionResult> assertions;
  nlohmann::ordered_json report;
  bool passed = false;
};
Judgement judge_run(const Scenario& scenario, std::uint64_t seed, const sim::Engine& engine);

// Judges a finished (or stopped) prepared run and builds its report.
RunResult finish_run(const Scenario& scenario, std::uint64_t seed, PreparedRun run);

// Simulates `scenario` with `seed` to the end (or a limit), judges it and builds its report.
RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits = {});

// Runs the scenario twice in lock step, comparing every processed event, then the report bytes.
// Returns an empty string when both runs are identical, or a description of the first
// divergence with the events that led to it.
struct DeterminismCheck {
  std::string divergence;  // empty: identical
  RunResult first;         // the first run, for the usual outputs
};
DeterminismCheck check_determinism(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits = {});

}  // namespace faultline::harness
