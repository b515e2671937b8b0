// `faultline shrink`: from a failing run to a smallest scenario that still fails the same
// assertion. The run's concrete fault schedule is made explicit first (each chaos-monkey kill a
// crash at its instant), then delta debugging drops faults, shortens windows and moves instants
// later while the assertion keeps failing on at least m of K seeds.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

// The chaos-monkey kills of a finished run as explicit crash faults (scenario-file JSON), in
// kill order, each named "<monkey>-kill-<n>" and carrying the monkey's restart and warm-up.
// `monkey_fault` is the monkey's object in the scenario file, `monkey` its index.
std::vector<nlohmann::ordered_json> materialised_kills(const nlohmann::ordered_json& monkey_fault, const RunResult& run,
                                                       std::uint32_t monkey);

int command_shrink(const std::vector<std::string>& args);

}  // namespace faultline::harness
