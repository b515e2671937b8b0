// The run's notable events as the GUI lists and draws them: a flat event log (faults, breaker
// changes, crashes, ejections, registry changes, assertion verdicts) with filters, and lanes of
// state intervals (fault windows, breaker states, instance outages) for the fault timeline.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gui/model/topology.hpp"
#include "reports/analysis/windows.hpp"
#include "reports/report.hpp"
#include "sim/results.hpp"

namespace faultline::gui {

enum class LogKind : std::uint8_t { fault, breaker, crash, instance, registry, ejection, assertion };
inline constexpr std::size_t kLogKindCount = 7;
inline constexpr std::uint32_t kAllLogKinds = (1u << kLogKindCount) - 1;
const char* log_kind_name(LogKind kind);

enum class Severity : std::uint8_t { info, good, warning, bad };

struct LogEvent {
  TimeNs at_ns = 0;
  LogKind kind = LogKind::fault;
  Severity severity = Severity::info;
  EntityRef entity;   // what the event is about
  EntityRef related;  // the fault that caused a crash, the edge of an ejection or breaker
  std::string entity_name;
  std::string text;
};

// Every timeline entry in order, then one verdict per assertion at `verdict_at_ns` (pass an
// empty span while the run is not over).
std::vector<LogEvent> build_log(const Topology& topology, std::span<const sim::TimelineEntry> timeline,
                                std::span<const reports::AssertionResult> verdicts, TimeNs verdict_at_ns);

struct LogFilter {
  std::uint32_t kind_mask = kAllLogKinds;
  std::string entity_text;  // case-insensitive substring of the entity's or related entity's name
};
bool log_matches(const LogEvent& event, const LogFilter& filter);
// Indices of the events that pass the filter.
std::vector<std::uint32_t> filter_log(std::span<const LogEvent> events, const LogFilter& filter);

// How many events happen at or before `t_ns` (events are in time order).
std::size_t events_until(std::span<const LogEvent> events, TimeNs t_ns);
// The instant of the next timeline entry after `t_ns`, or -1 when there is none.
TimeNs next_entry_after(std::span<const sim::TimelineEntry> timeline, TimeNs t_ns);
// The instant of the last timeline entry strictly before `t_ns`, or -1 when there is none.
TimeNs previous_entry_before(std::span<const sim::TimelineEntry> timeline, TimeNs t_ns);

enum class LaneKind : std::uint8_t { fault, edge, breaker, instance };

// One state interval (analysis::StateSpan). state: fault: 1 active; breaker and edge:
// sim::BreakerState; instance: sim::InstanceStatus. count: edge: breakers open (or half-open).
using LaneSegment = analysis::StateSpan;

struct Lane {
  LaneKind kind = LaneKind::fault;
  EntityRef entity;
  std::string label;
  std::vector<LaneSegment> segments;  // only the non-default states, in time order
};

struct Lanes {
  std::vector<Lane> faults;     // one per fault of the scenario, even if it never started
  std::vector<Lane> edges;      // one per edge that has breakers: the worst state of its breakers
  std::vector<Lane> breakers;   // one per breaker that ever left the closed state
  std::vector<Lane> instances;  // one per instance that was ever not up
};

// Segments still open at `end_ns` end there. Fault windows, breaker spans and instance
// outages come from the analysis layer (reports/analysis): a crash fault (which has no end of
// its own) lasts until every instance it crashed is up again, as in the HTML report.
Lanes build_lanes(const Topology& topology, std::span<const sim::TimelineEntry> timeline, TimeNs end_ns);

// The window a fault asks for in the scenario: [at, at + duration), end = `run_end_ns` if never
// reverted (analysis::planned_window).
LaneSegment planned_window(const TopoFault& fault, TimeNs run_end_ns);

}  // namespace faultline::gui
