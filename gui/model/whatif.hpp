// Quick what-if variations of a loaded scenario (breakers, retries, timeouts, instance counts,
// faults switched off, seed). The A/B comparison itself is reports::compare_reports on the two
// runs' reports, as `faultline compare` does it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.hpp"

namespace faultline::gui {

enum class Override : std::uint8_t { keep, on, off };

struct WhatIf {
  Override breakers = Override::keep;     // on: every call site gets a breaker (defaults where it had none)
  std::optional<std::uint32_t> max_attempts;  // retries: attempts in total on every call site (1: none)
  double timeout_scale = 1.0;             // multiplies every per-attempt timeout (0 timeouts stay 0)
  Override outlier_detection = Override::keep;
  std::vector<std::uint32_t> instance_counts;  // per service; empty or equal to the scenario: unchanged
  std::vector<bool> fault_enabled;             // per fault; empty: all enabled
  std::optional<std::uint64_t> seed;

  bool changes_anything(const harness::Scenario& base) const;
};

// A copy of `base` with the what-if applied. A service's new instance count is spread over its
// zones in proportion to the original placement (every zone keeps at least one while the count
// allows). Faults aimed at instance indices that no longer exist select nothing, as in the engine.
harness::Scenario apply_what_if(const harness::Scenario& base, const WhatIf& what_if);

// "breakers off, retries 1, timeouts x0.5, checkout 3 instances, without zone-c-down"
std::string describe_what_if(const harness::Scenario& base, const WhatIf& what_if);

// Parses "breakers=off,retries=1,timeouts=0.5,outliers=on,instances.checkout=6,fault.zone-c-down=off,seed=8"
// against `base` (the command line's --what-if). Throws std::invalid_argument naming the bad part.
WhatIf parse_what_if(const harness::Scenario& base, const std::string& spec);

}  // namespace faultline::gui
