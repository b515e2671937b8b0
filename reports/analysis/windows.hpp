// Fault windows, state spans (breakers, instances, edges) and outages, defined once over the
// engine's timeline and the scenario's faults. The report, the assertions, the GUI lanes and the
// HTML writer all take their windows from here, so they cannot disagree.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "faults/fault.hpp"
#include "sim/results.hpp"
#include "sim/time.hpp"

namespace faultline::analysis {

using sim::TimeNs;

// What the analysis needs of a fault: its kind and when the scenario starts and ends it.
struct FaultTiming {
  faults::FaultKind kind = faults::FaultKind::crash;
  TimeNs at_ns = 0;
  TimeNs duration_ns = sim::kNever;  // kNever: never reverted
};
std::vector<FaultTiming> timings_of(std::span<const faults::FaultSpec> faults);

// A fault's window in a run that reached `run_end`. The injector starts every fault at `at` and
// ends it `duration` later, so the window needs no timeline (which a long run may truncate).
// A field is -1 when the run ended before that instant. `restored` is set for a kind whose
// window closes at restart (a crash): when the last instance it crashed was up again.
struct FaultWindow {
  TimeNs start = -1;
  TimeNs end = -1;
  TimeNs restored = -1;
  bool started() const { return start >= 0; }
  bool ended() const { return end >= 0; }
  // Where the window stops being drawn or measured: its end, else its restoration, else the run's end.
  TimeNs until(TimeNs run_end) const { return end >= 0 ? end : restored >= 0 ? restored : run_end; }
};

// The window from the timing alone (no restoration), as the scenario asks for it.
FaultWindow planned_window(const FaultTiming& fault, TimeNs run_end);

// A fault's window in a run: the planned window, unless the run never started the fault (a
// fault live mode skipped): when the timeline is complete (`results.timeline_dropped == 0`)
// and holds no start of it, it has no window.
FaultWindow fault_window(const FaultTiming& fault, std::uint32_t index, const sim::Results& results);

// Every fault's window in a run (as fault_window), with the restoration of kinds that end at
// restart read from the timeline (an instance state entry's `extra` is 1 + the fault that
// crashed it). `timeline_complete`: no entry was dropped, so a start it lacks never happened.
std::vector<FaultWindow> fault_windows(std::span<const FaultTiming> faults, std::span<const sim::TimelineEntry> timeline,
                                       TimeNs run_end, bool timeline_complete = true);

// An interval of one non-normal state; `end` is -1 while it is still open.
template <typename Time>
struct BasicSpan {
  Time start_ns = 0;
  Time end_ns = 0;
  std::uint8_t state = 0;   // the entity's state during the span (BreakerState, InstanceStatus, 1 for a fault)
  std::uint32_t count = 0;  // how many of a group are in that state (an edge's open breakers)
};

// Turns a sequence of state changes into spans of the states other than `normal`. A change to
// the state (and count) already open changes nothing.
template <typename Time>
void change_state(std::vector<BasicSpan<Time>>& spans, Time at, std::uint8_t state, std::uint8_t normal,
                  std::uint32_t count = 0) {
  if (!spans.empty() && spans.back().end_ns < 0) {
    BasicSpan<Time>& open = spans.back();
    if (open.state == state && open.count == count) return;
    open.end_ns = at;
  }
  if (state != normal) spans.push_back({at, Time(-1), state, count});
}

// Closes a span still open at `end`.
template <typename Time>
void close_spans(std::vector<BasicSpan<Time>>& spans, Time end) {
  if (!spans.empty() && spans.back().end_ns < 0) spans.back().end_ns = end;
}

using StateSpan = BasicSpan<TimeNs>;

// Per breaker: its open and half-open spans (state: sim::BreakerState), closed at `run_end`.
std::vector<std::vector<StateSpan>> breaker_spans(std::size_t breakers, std::span<const sim::TimelineEntry> timeline,
                                                  TimeNs run_end);

// Per instance: the spans it was not up (state: sim::InstanceStatus), closed at `run_end`.
std::vector<std::vector<StateSpan>> instance_outages(std::size_t instances, std::span<const sim::TimelineEntry> timeline,
                                                     TimeNs run_end);

}  // namespace faultline::analysis
