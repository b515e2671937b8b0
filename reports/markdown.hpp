// The Markdown summary of a run (for CI job summaries and pull-request comments).
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::reports {

struct SummaryOptions {
  std::string replay_command;        // shown under the verdict when not empty
  std::size_t max_bytes = 1 << 20;   // GitHub refuses a step summary over 1 MiB
};

// A verdict table (assertion, expected, observed, pass/fail), client and service totals with
// latency, the fault timeline, and the details (every event, breakers) in <details> blocks.
// Details are shortened, then dropped, to keep the result under options.max_bytes.
std::string render_summary(const nlohmann::ordered_json& report, const SummaryOptions& options = {});

}  // namespace faultline::reports
