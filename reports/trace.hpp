// The trace output (--trace): Chrome / Perfetto trace-event JSON. Requests are complete events
// ("ph": "X") on one track per instance and concurrency lane, faults are instants, breaker
// states and queue depths are counters. Loadable in ui.perfetto.dev and chrome://tracing.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "faults/fault.hpp"
#include "sim/engine.hpp"

namespace faultline::reports {

// The simulated time a trace covers: requests overlapping [from_ns, to_ns) are recorded.
struct TraceWindow {
  sim::TimeNs from_ns = 0;
  sim::TimeNs to_ns = std::numeric_limits<sim::TimeNs>::max();
};

// The default window: from a little before the first fault (so the trace shows the system
// before and during it even when the event cap cuts the rest) to the end of the run. With no
// fault, from the start.
TraceWindow default_trace_window(std::span<const faults::FaultSpec> faults);

struct Trace {
  std::string text;                 // the JSON document
  std::uint64_t dropped_events = 0;  // trace events left out by the cap (a request counts two)
  sim::TimeNs covered_from_ns = 0;  // the requests written span this much simulated time
  sim::TimeNs covered_to_ns = 0;
};

// Renders the trace of a finished engine that recorded spans (Engine::record_spans) in
// `window`. `max_events` caps the number of trace events written (a request counts two, as
// the begin and end it stands for; metadata does not count).
Trace render_trace(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, std::size_t max_events,
                   TraceWindow window = {});

}  // namespace faultline::reports
