// JUnit XML from a run report: one testsuite per scenario run, one testcase per assertion.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace faultline::reports {

// `replay_command`, when not empty, is added to each failure's text ("replay: ...").
std::string render_junit(const nlohmann::ordered_json& report, std::string_view replay_command = {});

}  // namespace faultline::reports
