// Simulated time: an integer count of nanoseconds since the start of a run, and the one place
// where time arithmetic is defined at the extremes.
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

// The rule for time at the extremes: every run ends long before kNever, so a moment that would
// lie beyond the range of TimeNs is simply never. These functions saturate at kNever instead of
// overflowing; every moment or duration computed from scenario values goes through them.

// `at + delay` for delay >= 0 (a negative delay counts as zero): kNever when it would overflow.
inline constexpr TimeNs later(TimeNs at, TimeNs delay) {
  if (delay <= 0) return at;
  if (at >= kNever - delay) return kNever;
  return at + delay;
}

// `a + b` for durations >= 0, saturating at kNever.
inline constexpr TimeNs sum_ns(TimeNs a, TimeNs b) { return later(a, b); }

// `duration * count` for duration >= 0, saturating at kNever.
inline constexpr TimeNs times_ns(TimeNs duration, std::uint64_t count) {
  if (duration <= 0 || count == 0) return 0;
  if (count > static_cast<std::uint64_t>(kNever / duration)) return kNever;
  return duration * static_cast<TimeNs>(count);
}

// A count of nanoseconds held in a double, rounded to the nearest nanosecond: zero for
// negative values and NaN, kNever for anything at or beyond 2^63 (including infinity). This is
// the checked conversion every double-to-time conversion uses.
inline constexpr TimeNs ns_from_double(double ns) {
  if (!(ns > 0)) return 0;
  const double rounded = ns + 0.5;
  if (!(rounded < 9223372036854775808.0)) return kNever;  // 2^63, exactly representable
  return static_cast<TimeNs>(rounded);
}

// `duration * factor` (a slowdown, a warm-up factor, a share of a ramp), rounded and saturating.
inline constexpr TimeNs scaled_ns(TimeNs duration, double factor) {
  return ns_from_double(static_cast<double>(duration) * factor);
}

// The spacing between messages of a link that passes `rate_per_s` of them a second; kNever
// when the rate is so low that the next message would never pass.
inline constexpr TimeNs spacing_ns(double rate_per_s) {
  if (!(rate_per_s > 0)) return kNever;
  return ns_from_double(1e9 / rate_per_s);
}

}  // namespace faultline::sim
