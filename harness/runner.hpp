// Running one scenario once: engine, faults, assertions, report.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "sim/engine.hpp"

namespace faultline::harness {

struct RunLimits {
  sim::EngineLimits engine;
  double max_wall_s = 0;  // 0: no wall-clock limit (--max-wall)
};

struct RunResult {
  std::unique_ptr<sim::Engine> engine;
  std::vector<reports::AssertionResult> assertions;
  nlohmann::ordered_json report;
  bool passed = false;
  bool wall_limit_hit = false;
  bool interrupted = false;  // SIGINT or SIGTERM stopped the run
  double wall_s = 0;
};

// Simulates `scenario` with `seed` to the end (or a limit), judges it and builds its report.
RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits = {});

}  // namespace faultline::harness
