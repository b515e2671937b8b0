// Availability, sliding windows, recovery, call depth and the run's verdict, defined once. The
// report, the assertions (harness), the GUI model and compare use these, so the same question
// gets the same answer everywhere.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/results.hpp"
#include "sim/runtime.hpp"
#include "sim/time.hpp"

namespace faultline::reports {
struct AssertionResult;
}

namespace faultline::analysis {

using sim::TimeNs;

// Requests that got an answer of any kind (ok, error, timeout, rejected, unavailable).
std::uint64_t answered(const sim::Counters& c);
// ok / answered; 1 when nothing was answered.
double availability(const sim::Counters& c);

// The bucket holding instant `t` (bucket widths are positive).
std::size_t bucket_of(TimeNs t, TimeNs bucket_ns);
// How many buckets cover `window_ns` (rounded up).
std::size_t buckets_covering(TimeNs window_ns, TimeNs bucket_ns);

// Sums `series` (every entity of a subject added bucket by bucket).
void add_series(std::vector<sim::Counters>& into, std::span<const sim::BucketSample> series);

// A window of `width` buckets sliding by one over [first, last): ok and answered sums of each
// window in turn, linear in the number of buckets whatever the width.
struct SlidingWindow {
  std::span<const sim::Counters> series;
  std::size_t first = 0, last = 0, width = 1;
  std::size_t start = 0;
  std::uint64_t ok = 0, n = 0;
  SlidingWindow(std::span<const sim::Counters> s, std::size_t from, std::size_t to, std::size_t w);
  bool valid() const { return start + width <= last; }
  void next();
};

// Recovery after a fault: from the bucket holding `from_ns` (the fault's end, or its start
// when it never ends), the first window of `width` buckets whose availability (ok / answered,
// windows with no answer skipped) is at or above `min_ratio`.
struct Recovery {
  bool recovered = false;
  TimeNs after_ns = 0;         // from `from_ns` to the start of that window (never negative)
  TimeNs window_start_ns = 0;  // the start of that window
  double ratio = 0;            // its availability
  std::size_t window_end = 0;  // the bucket after it (or the number of buckets when not recovered)
};
Recovery recover(std::span<const sim::Counters> series, TimeNs bucket_ns, TimeNs from_ns, std::size_t width,
                 double min_ratio);

// The lowest availability of a single bucket in [first, last), or nullopt when none answered.
std::optional<double> lowest_availability(std::span<const sim::Counters> series, std::size_t first, std::size_t last);

// User impact of one subject (issue 12 §5): the buckets with requests whose ok share is below
// `min_ratio`, their count and the longest unbroken run of them (ending before bucket
// `longest_end`). The impact assertion, the report's per-client "impact" and the sweep's impact
// figures all count this way.
struct Impact {
  std::uint64_t below_buckets = 0;
  std::uint64_t longest_buckets = 0;
  std::size_t longest_end = 0;
};
Impact impact_below(std::span<const sim::Counters> series, double min_ratio);

// The requests that did not end ok (requests - ok) in the buckets overlapping [from_ns, to_ns).
std::uint64_t failed_between(std::span<const sim::Counters> series, TimeNs bucket_ns, TimeNs from_ns, TimeNs to_ns);

// Call depth: 1 + the longest chain of calls above a service (a service nobody calls, or only
// clients call, is at depth 1). The loader rejects cycles, so this settles.
struct CallEdge {
  std::uint32_t caller_service = sim::kNone;  // kNone: a client
  std::uint32_t callee_service = 0;
};
std::vector<std::uint32_t> call_depths(std::size_t services, std::span<const CallEdge> edges);

// A run's verdict: it passes when it finished and every assertion holds; a run still in
// progress is pending.
enum class Verdict : std::uint8_t { pass, fail, pending };
bool run_passed(sim::StopReason stop, std::span<const reports::AssertionResult> assertions);

// An assertion judged on the run so far: pending while the run is in progress and the fault it
// is about (`window`, as seen so far; null when it is about none) has not started, or has not
// ended when the assertion needs its end.
struct FaultWindow;
Verdict verdict_so_far(bool run_over, bool passed, const FaultWindow* window, bool needs_end);

}  // namespace faultline::analysis
