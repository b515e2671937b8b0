// Printing verdicts, and the commands beyond run/validate/schema.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "harness/runner.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

// The human verdict printed after a run: one line per assertion and a PASS/FAIL line.
void print_verdict(std::ostream& out, const Scenario& scenario, std::uint64_t seed, const RunResult& result);

// Commands added by later features (sweep, merge, compare); returns -1 for an unknown command.
int run_extra_command(const std::string& command, const std::vector<std::string>& args);

}  // namespace faultline::harness
