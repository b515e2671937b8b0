// Judging a finished run against the scenario's assertions (SLOs). The checks of the
// simulated system live here, apart from the engine.
#pragma once
#include <vector>

#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "sim/engine.hpp"

namespace faultline::harness {

// A fault's window from its spec: the injector starts every fault at `at` and ends it
// `duration` later, so this needs no timeline (which a long run may truncate). A field is -1
// when the run ended before that instant.
struct FaultWindow {
  sim::TimeNs start = -1;
  sim::TimeNs end = -1;
};
FaultWindow fault_window(const Scenario& scenario, const sim::Engine& engine, std::uint32_t fault);

std::vector<reports::AssertionResult> evaluate_assertions(const Scenario& scenario, const sim::Engine& engine);

}  // namespace faultline::harness
