// JUnit XML for a seed sweep: one testcase per assertion, carrying its pass ratio over the
// seeds and the seeds it failed on (with the command that replays one), located at the
// assertion in the scenario file so CI reporters annotate the right line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {

struct SweepJunitContext {
  std::string scenario_file;                   // the path as given on the command line
  std::vector<std::uint32_t> assertion_lines;  // the line of each assertion (0: unknown)
  std::size_t max_seeds_listed = 20;           // failing seeds named per assertion
};

std::string render_sweep_junit(const nlohmann::ordered_json& sweep, const SweepJunitContext& context);

// The failing seeds of assertion `name`, in seed order, from sweep.json's "failures".
std::vector<std::uint64_t> failing_seeds_of(const nlohmann::ordered_json& sweep, const std::string& name);

}  // namespace faultline::reports
