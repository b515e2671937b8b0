// Judging a finished run against the scenario's assertions (SLOs). The checks of the
// simulated system live here, apart from the engine.
#pragma once
#include <vector>

#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "sim/engine.hpp"

namespace faultline::harness {

std::vector<reports::AssertionResult> evaluate_assertions(const Scenario& scenario, const sim::Engine& engine);

}  // namespace faultline::harness
