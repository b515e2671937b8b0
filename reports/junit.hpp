// JUnit XML from a run report: one testsuite per scenario run, one testcase per assertion.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {

struct JunitOptions {
  // When not empty, added to each failure's text ("replay: ...").
  std::string replay_command;
  // The scenario path as the user gave it: every testcase's `file`, so CI reporters
  // (GitLab, mikepenz/action-junit-report) link a failure to the scenario. Empty: no `file`.
  std::string scenario_file;
  // The line of each assertion in that file, in the report's order (0 or missing: no `line`).
  std::vector<std::uint32_t> assertion_lines;
  // The line the "simulation completes" testcase of a stopped run points at (the duration).
  std::uint32_t run_line = 0;
};

std::string render_junit(const nlohmann::ordered_json& report, const JunitOptions& options = {});

}  // namespace faultline::reports
