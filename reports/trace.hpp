// The trace output (--trace): Chrome / Perfetto trace-event JSON. Requests are async spans per
// service (one track per instance), faults are instants, breaker states and queue depths are
// counters. Loadable in ui.perfetto.dev and chrome://tracing.
#pragma once
#include <span>
#include <string>

#include "faults/fault.hpp"
#include "sim/engine.hpp"

namespace faultline::reports {

// Renders the trace of a finished engine that recorded spans (Engine::record_spans).
// `max_events` caps the number of trace events written (spans count two).
std::string render_trace(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, std::size_t max_events);

}  // namespace faultline::reports
