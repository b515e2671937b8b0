// Fault windows and state spans over the timeline.
#include "reports/analysis/windows.hpp"

#include "faults/kind.hpp"
#include "sim/breaker.hpp"
#include "sim/runtime.hpp"

namespace faultline::analysis {

std::vector<FaultTiming> timings_of(std::span<const faults::FaultSpec> faults) {
  std::vector<FaultTiming> out;
  out.reserve(faults.size());
  for (const faults::FaultSpec& f : faults) out.push_back({f.kind, f.at_ns, f.duration_ns});
  return out;
}

FaultWindow planned_window(const FaultTiming& fault, TimeNs run_end) {
  FaultWindow w;
  if (fault.at_ns >= run_end) return w;
  w.start = fault.at_ns;
  if (fault.duration_ns != sim::kNever && fault.duration_ns < run_end - fault.at_ns) w.end = fault.at_ns + fault.duration_ns;
  return w;
}

namespace {

bool started_in(std::span<const sim::TimelineEntry> timeline, std::uint32_t fault) {
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind == sim::TimelineKind::fault_start && e.subject == fault) return true;
  }
  return false;
}

// When the last instance each fault crashed was up again (-1 while one is still down or none
// came back). An instance counts for the first fault that crashed it until it is up.
std::vector<TimeNs> restorations(std::size_t faults, std::span<const sim::TimelineEntry> timeline,
                                 std::vector<TimeNs> window_start) {
  std::vector<std::uint32_t> down_by;
  std::vector<std::uint32_t> still_down(faults, 0);
  std::vector<TimeNs> last_back_up(faults, -1);
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind != sim::TimelineKind::instance_state) continue;
    if (e.subject >= down_by.size()) down_by.resize(e.subject + 1, sim::kNone);
    const auto status = static_cast<sim::InstanceStatus>(e.detail);
    if (status == sim::InstanceStatus::crashed && e.extra > 0 && e.extra - 1 < faults && down_by[e.subject] == sim::kNone) {
      down_by[e.subject] = e.extra - 1;
      ++still_down[e.extra - 1];
    } else if (status == sim::InstanceStatus::up && down_by[e.subject] != sim::kNone) {
      const std::uint32_t f = down_by[e.subject];
      down_by[e.subject] = sim::kNone;
      --still_down[f];
      last_back_up[f] = e.at;
    }
  }
  std::vector<TimeNs> out(faults, -1);
  for (std::size_t f = 0; f < faults; ++f) {
    if (still_down[f] == 0 && window_start[f] >= 0 && last_back_up[f] >= window_start[f]) out[f] = last_back_up[f];
  }
  return out;
}

}  // namespace

FaultWindow fault_window(const FaultTiming& fault, std::uint32_t index, const sim::Results& results) {
  FaultWindow w = planned_window(fault, results.end_ns);
  if (w.started() && results.timeline_dropped == 0 && !started_in(results.timeline, index)) return FaultWindow{};
  return w;
}

std::vector<FaultWindow> fault_windows(std::span<const FaultTiming> faults, std::span<const sim::TimelineEntry> timeline,
                                       TimeNs run_end, bool timeline_complete) {
  std::vector<FaultWindow> out;
  out.reserve(faults.size());
  std::vector<TimeNs> starts(faults.size(), -1);
  std::vector<bool> started(faults.size(), !timeline_complete);
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind == sim::TimelineKind::fault_start && e.subject < faults.size()) started[e.subject] = true;
  }
  for (std::size_t f = 0; f < faults.size(); ++f) {
    out.push_back(started[f] ? planned_window(faults[f], run_end) : FaultWindow{});
    const bool closes_at_restart = faults::kind_unit(faults[f].kind).traits.ends_at_restart;
    if (closes_at_restart && !out.back().ended()) starts[f] = out.back().start;
  }
  const std::vector<TimeNs> restored = restorations(faults.size(), timeline, std::move(starts));
  for (std::size_t f = 0; f < faults.size(); ++f) out[f].restored = restored[f];
  return out;
}

std::vector<std::vector<StateSpan>> breaker_spans(std::size_t breakers, std::span<const sim::TimelineEntry> timeline,
                                                  TimeNs run_end) {
  std::vector<std::vector<StateSpan>> out(breakers);
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind != sim::TimelineKind::breaker || e.subject >= breakers) continue;
    change_state(out[e.subject], e.at, static_cast<std::uint8_t>(e.extra), static_cast<std::uint8_t>(sim::BreakerState::closed));
  }
  for (auto& spans : out) close_spans(spans, run_end);
  return out;
}

std::vector<std::vector<StateSpan>> instance_outages(std::size_t instances, std::span<const sim::TimelineEntry> timeline,
                                                     TimeNs run_end) {
  std::vector<std::vector<StateSpan>> out(instances);
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind != sim::TimelineKind::instance_state || e.subject >= instances) continue;
    change_state(out[e.subject], e.at, static_cast<std::uint8_t>(e.detail), static_cast<std::uint8_t>(sim::InstanceStatus::up));
  }
  for (auto& spans : out) close_spans(spans, run_end);
  return out;
}

}  // namespace faultline::analysis
