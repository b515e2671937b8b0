// Availability, windows, recovery, depth and verdicts.
#include "reports/analysis/measures.hpp"

#include <algorithm>

#include "reports/analysis/windows.hpp"
#include "reports/report.hpp"

namespace faultline::analysis {

std::uint64_t answered(const sim::Counters& c) { return c.ok + c.errors + c.timeouts + c.rejected + c.unavailable; }

double availability(const sim::Counters& c) {
  const std::uint64_t n = answered(c);
  return n == 0 ? 1.0 : static_cast<double>(c.ok) / static_cast<double>(n);
}

std::size_t bucket_of(TimeNs t, TimeNs bucket_ns) { return static_cast<std::size_t>(t / bucket_ns); }

std::size_t buckets_covering(TimeNs window_ns, TimeNs bucket_ns) {
  return static_cast<std::size_t>(window_ns / bucket_ns + (window_ns % bucket_ns != 0 ? 1 : 0));
}

void add_series(std::vector<sim::Counters>& into, std::span<const sim::BucketSample> series) {
  if (into.size() < series.size()) into.resize(series.size());
  for (std::size_t b = 0; b < series.size(); ++b) into[b].add(series[b].counts);
}

SlidingWindow::SlidingWindow(std::span<const sim::Counters> s, std::size_t from, std::size_t to, std::size_t w)
    : series(s), first(from), last(std::min(to, s.size())), width(w), start(from) {
  for (std::size_t b = first; b < last && b < first + width; ++b) {
    ok += series[b].ok;
    n += answered(series[b]);
  }
}

void SlidingWindow::next() {
  ++start;
  if (!valid()) return;
  ok += series[start + width - 1].ok - series[start - 1].ok;
  n += answered(series[start + width - 1]) - answered(series[start - 1]);
}

Impact impact_below(std::span<const sim::Counters> series, double min_ratio) {
  Impact out;
  std::uint64_t run = 0;
  for (std::size_t b = 0; b < series.size(); ++b) {
    const sim::Counters& c = series[b];
    const bool impacted = c.requests > 0 && static_cast<double>(c.ok) < min_ratio * static_cast<double>(c.requests);
    run = impacted ? run + 1 : 0;
    out.below_buckets += impacted ? 1 : 0;
    if (run > out.longest_buckets) {
      out.longest_buckets = run;
      out.longest_end = b + 1;
    }
  }
  return out;
}

std::uint64_t failed_between(std::span<const sim::Counters> series, TimeNs bucket_ns, TimeNs from_ns, TimeNs to_ns) {
  std::uint64_t failed = 0;
  for (std::size_t b = bucket_of(from_ns, bucket_ns); b < series.size() && static_cast<TimeNs>(b) * bucket_ns < to_ns; ++b) {
    failed += series[b].requests - series[b].ok;
  }
  return failed;
}

Recovery recover(std::span<const sim::Counters> series, TimeNs bucket_ns, TimeNs from_ns, std::size_t width,
                 double min_ratio) {
  Recovery out;
  out.window_end = series.size();
  for (SlidingWindow w(series, bucket_of(from_ns, bucket_ns), series.size(), width); w.valid(); w.next()) {
    if (w.n == 0) continue;
    const double ratio = static_cast<double>(w.ok) / static_cast<double>(w.n);
    if (ratio < min_ratio) continue;
    out.recovered = true;
    out.window_start_ns = static_cast<TimeNs>(w.start) * bucket_ns;
    out.after_ns = std::max<TimeNs>(0, out.window_start_ns - from_ns);
    out.ratio = ratio;
    out.window_end = w.start + width;
    return out;
  }
  return out;
}

std::optional<double> lowest_availability(std::span<const sim::Counters> series, std::size_t first, std::size_t last) {
  std::optional<double> lowest;
  for (std::size_t b = first; b < last && b < series.size(); ++b) {
    if (answered(series[b]) == 0) continue;
    const double a = availability(series[b]);
    if (!lowest || a < *lowest) lowest = a;
  }
  return lowest;
}

std::vector<std::uint32_t> call_depths(std::size_t services, std::span<const CallEdge> edges) {
  std::vector<std::uint32_t> depth(services, 1);
  for (std::size_t pass = 0; pass <= services; ++pass) {
    bool changed = false;
    for (const CallEdge& e : edges) {
      const std::uint32_t caller = e.caller_service == sim::kNone ? 0 : depth[e.caller_service];
      if (depth[e.callee_service] < caller + 1 && caller + 1 <= services) {
        depth[e.callee_service] = caller + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

bool run_passed(sim::StopReason stop, std::span<const reports::AssertionResult> assertions) {
  bool passed = stop == sim::StopReason::finished;
  for (const reports::AssertionResult& a : assertions) passed = passed && a.passed;
  return passed;
}

Verdict verdict_so_far(bool run_over, bool passed, const FaultWindow* window, bool needs_end) {
  const bool waiting = !run_over && window != nullptr && (!window->started() || (needs_end && !window->ended()));
  if (waiting) return Verdict::pending;
  return passed ? Verdict::pass : Verdict::fail;
}

}  // namespace faultline::analysis
