// One run: build the engine, attach the fault injector, simulate, judge, report.
#include "harness/runner.hpp"

#include <chrono>

#include "faults/injector.hpp"
#include "harness/assertions.hpp"
#include "harness/interrupt.hpp"

namespace faultline::harness {

RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  RunResult result;
  sim::ModelConfig model = scenario.model;
  model.seed = seed;
  const auto wall_start = std::chrono::steady_clock::now();
  result.engine = std::make_unique<sim::Engine>(model, limits.engine);
  sim::Engine& engine = *result.engine;
  faults::Injector injector(scenario.faults, engine);
  std::uint64_t steps = 0;
  while (engine.step()) {
    if ((++steps & 0xffff) != 0) continue;
    if (interrupted() != 0) {
      result.interrupted = true;
      break;
    }
    // The wall clock is looked at by the harness only, and never changes what is simulated.
    if (limits.max_wall_s > 0) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (elapsed > limits.max_wall_s) {
        result.wall_limit_hit = true;
        break;
      }
    }
  }
  engine.finish();
  if (result.wall_limit_hit || result.interrupted) engine.mutable_results().stop = sim::StopReason::stopped;
  result.assertions = evaluate_assertions(scenario, engine);
  reports::RunInput input;
  input.scenario_name = scenario.name;
  input.scenario_description = scenario.description;
  input.scenario_bytes = scenario.bytes;
  input.seed = seed;
  input.engine = &engine;
  input.faults = scenario.faults;
  input.assertions = result.assertions;
  result.report = reports::build_run_report(input);
  result.passed = result.report["passed"].get<bool>();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace faultline::harness
