// Simulated time: an integer count of nanoseconds since the start of a run.
#pragma once
#include <cstdint>
#include <limits>

namespace faultline::sim {

using TimeNs = std::int64_t;

inline constexpr TimeNs kNanosecond = 1;
inline constexpr TimeNs kMicrosecond = 1'000;
inline constexpr TimeNs kMillisecond = 1'000'000;
inline constexpr TimeNs kSecond = 1'000'000'000;
inline constexpr TimeNs kMinute = 60 * kSecond;
inline constexpr TimeNs kHour = 60 * kMinute;
inline constexpr TimeNs kNever = std::numeric_limits<TimeNs>::max();

inline constexpr double to_seconds(TimeNs t) { return static_cast<double>(t) / 1e9; }
inline constexpr double to_millis(TimeNs t) { return static_cast<double>(t) / 1e6; }

}  // namespace faultline::sim
