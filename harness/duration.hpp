// Durations in Go's time.ParseDuration grammar ("250ms", "1m30s", "2h") and ratios ("5%" or 0.05).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/time.hpp"

namespace faultline::harness {

// Parses a duration exactly as Go's time.ParseDuration does (signed, units ns us µs μs ms s m h,
// decimal fractions, "0" alone), into integer nanoseconds. Returns nullopt on bad syntax or
// overflow of int64 nanoseconds, and if `why` is set, says what was wrong.
std::optional<sim::TimeNs> parse_go_duration(std::string_view text, std::string* why = nullptr);

// Formats like Go's Duration.String(): "1h2m3.5s", "250ms", "1.5µs", "0s".
std::string format_go_duration(sim::TimeNs ns);

// A ratio given as a number in [0, 1] or a string "5%" / "99.9%" (0% to 100%).
std::optional<double> parse_ratio(const nlohmann::ordered_json& value, std::string* why = nullptr);

}  // namespace faultline::harness
