// Judging a finished run against the scenario's assertions (SLOs). The checks of the
// simulated system live here, apart from the engine.
#pragma once
#include <optional>
#include <vector>

#include "harness/scenario.hpp"
#include "reports/analysis/windows.hpp"
#include "reports/report.hpp"
#include "sim/engine.hpp"

namespace faultline::harness {

// A fault's window in this run (analysis::fault_window: from its spec, so a truncated
// timeline does not matter, and none when the run never started it, as a fault live mode skipped).
using analysis::FaultWindow;
FaultWindow fault_window(const Scenario& scenario, const sim::Engine& engine, std::uint32_t fault);

// The fault an assertion is about (its `fault` or `during_fault`), if any, and whether it can
// only be judged once that fault has ended (recovery, breaker, availability during a fault).
std::optional<std::uint32_t> assertion_fault(const AssertionSpec& assertion);
bool needs_fault_end(const AssertionSpec& assertion);

std::vector<reports::AssertionResult> evaluate_assertions(const Scenario& scenario, const sim::Engine& engine);

}  // namespace faultline::harness
