// Text for times, rates and ratios as the GUI prints them.
#pragma once
#include <string>

#include "sim/time.hpp"

namespace faultline::gui {

// "2m20.250s", "40.068s", "0.000s"; `decimals` digits after the seconds' point (0 to 9).
std::string format_time(sim::TimeNs t_ns, int decimals = 3);
// A duration in the most readable unit: "250ms", "3.20ms", "1.5s", "2m30s", "12µs".
std::string format_span(sim::TimeNs ns);
// "1.23k/s", "950/s", "0.5/s"
std::string format_rate(double per_s);
// "0.42%", "12.5%", "100%"
std::string format_percent(double ratio);
// "1,201,158"
std::string format_count(unsigned long long value);
// "0.01×", "1×", "250×", "10000×"
std::string format_speed(double speed);

}  // namespace faultline::gui
