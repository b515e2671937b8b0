// `faultline compare SIM.json LIVE.json`: the model's prediction against the measurement of a
// live run of the same scenario, side by side, ending with a plain statement of where they
// differ beyond the user's tolerance. This is how a team calibrates its scenario.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::live {

struct CalibrationTolerance {
  double relative = 0.2;               // latencies, times and counts: |live - sim| <= relative * sim
  double availability_points = 0.5;    // availability: |live - sim| <= this many percentage points
  double absolute_ms = 1.0;            // latencies and times below this differ by noise only
};

struct Calibration {
  std::string text;  // the table and the closing statement
  int differences = 0;
};

// `sim` is a report of `faultline run`, `live` one of `faultline live` (either order is read
// by its "mode"). Throws std::invalid_argument when they are not of the same scenario.
Calibration compare_sim_live(const nlohmann::ordered_json& sim, const nlohmann::ordered_json& live,
                             const CalibrationTolerance& tolerance);

}  // namespace faultline::live
