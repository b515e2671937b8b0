// The HTML report: one self-contained file (inline CSS and SVG, no script, no network).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::reports {

// Charts of throughput, error ratio and latency per client and service over simulated time
// (fault windows shaded, breaker transitions marked), the assertions, the topology and the
// event timeline. `replay_command`, when not empty, is shown under the verdict.
std::string render_html(const nlohmann::ordered_json& report, const std::string& replay_command = {});

// The page frame shared by the run report and `compare --format html`: <head>, the style
// sheet and <body>, around `body_html`.
std::string html_page(const std::string& title, const std::string& body_html);

}  // namespace faultline::reports
