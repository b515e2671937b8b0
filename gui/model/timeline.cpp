// Turning the engine's timeline into log lines and lanes of state intervals.
#include "gui/model/timeline.hpp"

#include <algorithm>
#include <cctype>

#include "faults/kind.hpp"
#include "gui/model/format.hpp"
#include "sim/breaker.hpp"
#include "sim/runtime.hpp"

namespace faultline::gui {

const char* log_kind_name(LogKind kind) {
  switch (kind) {
    case LogKind::fault: return "fault";
    case LogKind::breaker: return "breaker";
    case LogKind::crash: return "crash";
    case LogKind::instance: return "instance";
    case LogKind::registry: return "registry";
    case LogKind::ejection: return "ejection";
    case LogKind::assertion: return "assertion";
  }
  return "?";
}

namespace {

// Why a breaker changed state, as " (…)" after the transition; empty when unknown.
std::string breaker_cause_text(const Topology& t, const sim::TimelineEntry& e) {
  const std::string target = e.cause_instance < t.instances.size() ? t.instances[e.cause_instance].name : "no instance";
  const std::string outcome = sim::outcome_name(static_cast<sim::Outcome>(e.cause_outcome));
  switch (e.cause) {
    case sim::BreakerCause::none: return "";
    case sim::BreakerCause::timeout: return " (open timeout ran out)";
    case sim::BreakerCause::probe: return " (probe to " + target + ": " + outcome + ")";
    case sim::BreakerCause::tripped:
      return " (" + std::to_string(e.cause_failures) + " failures, the last " + outcome + " from " + target + ")";
  }
  return "";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

LogEvent describe(const Topology& t, const sim::TimelineEntry& e) {
  LogEvent out;
  out.at_ns = e.at;
  switch (e.kind) {
    case sim::TimelineKind::fault_start:
    case sim::TimelineKind::fault_end: {
      const bool start = e.kind == sim::TimelineKind::fault_start;
      out.kind = LogKind::fault;
      out.severity = start ? Severity::bad : Severity::good;
      out.entity = {EntityKind::fault, e.subject};
      if (e.subject < t.faults.size()) {
        const TopoFault& f = t.faults[e.subject];
        out.text = std::string(start ? "starts: " : "ends: ") + faults::fault_kind_name(f.kind) + " on " + f.target;
      }
      break;
    }
    case sim::TimelineKind::breaker: {
      const auto to = static_cast<sim::BreakerState>(e.extra);
      out.kind = LogKind::breaker;
      out.entity = {EntityKind::breaker, e.subject};
      if (e.subject < t.breakers.size()) out.related = {EntityKind::edge, t.breakers[e.subject].edge};
      out.severity = to == sim::BreakerState::open ? Severity::bad
                     : to == sim::BreakerState::closed ? Severity::good
                                                       : Severity::warning;
      out.text = std::string(sim::breaker_state_name(static_cast<sim::BreakerState>(e.detail))) + " -> " +
                 sim::breaker_state_name(to) + breaker_cause_text(t, e);
      break;
    }
    case sim::TimelineKind::instance_state: {
      const auto status = static_cast<sim::InstanceStatus>(e.detail);
      out.entity = {EntityKind::instance, e.subject};
      out.kind = status == sim::InstanceStatus::crashed ? LogKind::crash : LogKind::instance;
      out.severity = status == sim::InstanceStatus::up ? Severity::good : Severity::bad;
      out.text = status == sim::InstanceStatus::up ? "back up" : std::string(sim::instance_status_name(status));
      if (status == sim::InstanceStatus::crashed && e.extra > 0 && e.extra - 1 < t.faults.size()) {
        out.related = {EntityKind::fault, e.extra - 1};
        out.text += " by " + t.faults[e.extra - 1].name;
      }
      break;
    }
    case sim::TimelineKind::registry: {
      const auto change = static_cast<sim::RegistryChange>(e.detail);
      out.kind = LogKind::registry;
      out.entity = {EntityKind::instance, e.subject};
      out.severity = change == sim::RegistryChange::healthy || change == sim::RegistryChange::registered ? Severity::good
                                                                                                          : Severity::warning;
      out.text = std::string("registry: ") + sim::registry_change_name(change);
      break;
    }
    case sim::TimelineKind::ejection:
    case sim::TimelineKind::ejection_end: {
      const bool start = e.kind == sim::TimelineKind::ejection;
      out.kind = LogKind::ejection;
      out.entity = {EntityKind::instance, e.detail};
      out.severity = start ? Severity::warning : Severity::good;
      std::string caller = "?";
      if (e.subject < t.sites.size()) {
        out.related = {EntityKind::edge, t.sites[e.subject].edge};
        caller = t.sites[e.subject].name;
        if (const auto arrow = caller.find(" -> "); arrow != std::string::npos) caller.resize(arrow);
      }
      out.text = std::string(start ? "ejected by " : "returned to ") + caller;
      break;
    }
  }
  out.entity_name = entity_name(t, out.entity);
  return out;
}

}  // namespace

std::vector<LogEvent> build_log(const Topology& topology, std::span<const sim::TimelineEntry> timeline,
                                std::span<const reports::AssertionResult> verdicts, TimeNs verdict_at_ns) {
  std::vector<LogEvent> out;
  out.reserve(timeline.size() + verdicts.size());
  for (const sim::TimelineEntry& e : timeline) out.push_back(describe(topology, e));
  for (const reports::AssertionResult& a : verdicts) {
    LogEvent v;
    v.at_ns = verdict_at_ns;
    v.kind = LogKind::assertion;
    v.severity = a.passed ? Severity::good : Severity::bad;
    v.entity_name = a.name;
    v.text = std::string(a.passed ? "PASS: " : "FAIL: ") + "observed " + a.observed + "; expected " + a.expected;
    out.push_back(std::move(v));
  }
  return out;
}

bool log_matches(const LogEvent& event, const LogFilter& filter) {
  if ((filter.kind_mask & (1u << static_cast<unsigned>(event.kind))) == 0) return false;
  if (filter.entity_text.empty()) return true;
  const std::string needle = lower(filter.entity_text);
  return lower(event.entity_name).find(needle) != std::string::npos || lower(event.text).find(needle) != std::string::npos;
}

std::vector<std::uint32_t> filter_log(std::span<const LogEvent> events, const LogFilter& filter) {
  std::vector<std::uint32_t> out;
  const bool all = filter.kind_mask == kAllLogKinds && filter.entity_text.empty();
  out.reserve(all ? events.size() : events.size() / 4);
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    if (all || log_matches(events[i], filter)) out.push_back(i);
  }
  return out;
}

std::size_t events_until(std::span<const LogEvent> events, TimeNs t_ns) {
  const auto it = std::upper_bound(events.begin(), events.end(), t_ns,
                                   [](TimeNs t, const LogEvent& e) { return t < e.at_ns; });
  return static_cast<std::size_t>(it - events.begin());
}

TimeNs next_entry_after(std::span<const sim::TimelineEntry> timeline, TimeNs t_ns) {
  const auto it = std::upper_bound(timeline.begin(), timeline.end(), t_ns,
                                   [](TimeNs t, const sim::TimelineEntry& e) { return t < e.at; });
  return it == timeline.end() ? -1 : it->at;
}

TimeNs previous_entry_before(std::span<const sim::TimelineEntry> timeline, TimeNs t_ns) {
  const auto it = std::lower_bound(timeline.begin(), timeline.end(), t_ns,
                                   [](const sim::TimelineEntry& e, TimeNs t) { return e.at < t; });
  return it == timeline.begin() ? -1 : std::prev(it)->at;
}

analysis::FaultTiming timing_of(const TopoFault& fault) { return {fault.kind, fault.at_ns, fault.duration_ns}; }

LaneSegment planned_window(const TopoFault& fault, TimeNs run_end_ns) {
  const analysis::FaultWindow w = analysis::planned_window(timing_of(fault), run_end_ns);
  LaneSegment s;
  s.start_ns = fault.at_ns;
  s.end_ns = w.ended() ? w.end : run_end_ns;
  s.state = 1;
  return s;
}

namespace {

std::vector<Lane> fault_lanes(const Topology& t, std::span<const sim::TimelineEntry> timeline, TimeNs end_ns) {
  std::vector<analysis::FaultTiming> timings;
  for (const TopoFault& f : t.faults) timings.push_back(timing_of(f));
  const std::vector<analysis::FaultWindow> windows = analysis::fault_windows(timings, timeline, end_ns);
  std::vector<Lane> lanes(t.faults.size());
  for (std::uint32_t f = 0; f < t.faults.size(); ++f) {
    lanes[f].kind = LaneKind::fault;
    lanes[f].entity = {EntityKind::fault, f};
    lanes[f].label = t.faults[f].name;
    if (windows[f].started()) lanes[f].segments.push_back({windows[f].start, windows[f].until(end_ns), 1, 0});
  }
  return lanes;
}

// Per edge: the worst state of its breakers, with how many are in it.
std::vector<Lane> edge_lanes(const Topology& t, std::span<const sim::TimelineEntry> timeline, TimeNs end_ns) {
  std::vector<Lane> lanes(t.edges.size());
  std::vector<std::uint32_t> open_count(t.edges.size(), 0), half_count(t.edges.size(), 0);
  std::vector<sim::BreakerState> breaker_state(t.breakers.size(), sim::BreakerState::closed);
  for (const sim::TimelineEntry& e : timeline) {
    if (e.kind != sim::TimelineKind::breaker || e.subject >= t.breakers.size()) continue;
    const auto to = static_cast<sim::BreakerState>(e.extra);
    const std::uint32_t edge = t.breakers[e.subject].edge;
    const sim::BreakerState from = breaker_state[e.subject];
    if (from == sim::BreakerState::open) --open_count[edge];
    if (from == sim::BreakerState::half_open) --half_count[edge];
    if (to == sim::BreakerState::open) ++open_count[edge];
    if (to == sim::BreakerState::half_open) ++half_count[edge];
    breaker_state[e.subject] = to;
    const sim::BreakerState worst = open_count[edge] > 0   ? sim::BreakerState::open
                                    : half_count[edge] > 0 ? sim::BreakerState::half_open
                                                           : sim::BreakerState::closed;
    const std::uint32_t count = worst == sim::BreakerState::open ? open_count[edge] : half_count[edge];
    analysis::change_state(lanes[edge].segments, e.at, static_cast<std::uint8_t>(worst), 0,
                           worst == sim::BreakerState::closed ? 0 : count);
  }
  for (Lane& lane : lanes) analysis::close_spans(lane.segments, end_ns);
  return lanes;
}

// Lanes of the entities that ever left their normal state, in index order.
void add_lanes(std::vector<Lane>& out, std::vector<std::vector<LaneSegment>> spans, LaneKind kind, EntityKind entity,
               auto label_of) {
  for (std::uint32_t i = 0; i < spans.size(); ++i) {
    if (spans[i].empty()) continue;
    out.push_back({kind, {entity, i}, label_of(i), std::move(spans[i])});
  }
}

}  // namespace

Lanes build_lanes(const Topology& t, std::span<const sim::TimelineEntry> timeline, TimeNs end_ns) {
  Lanes lanes;
  lanes.faults = fault_lanes(t, timeline, end_ns);
  std::vector<Lane> edges = edge_lanes(t, timeline, end_ns);
  for (std::uint32_t e = 0; e < t.edges.size(); ++e) {
    if (t.edges[e].breakers.empty()) continue;
    edges[e].kind = LaneKind::edge;
    edges[e].entity = {EntityKind::edge, e};
    edges[e].label = t.edges[e].name;
    lanes.edges.push_back(std::move(edges[e]));
  }
  add_lanes(lanes.breakers, analysis::breaker_spans(t.breakers.size(), timeline, end_ns), LaneKind::breaker,
            EntityKind::breaker, [&](std::uint32_t b) { return t.breakers[b].name; });
  add_lanes(lanes.instances, analysis::instance_outages(t.instances.size(), timeline, end_ns), LaneKind::instance,
            EntityKind::instance, [&](std::uint32_t i) { return t.instances[i].name; });
  return lanes;
}

}  // namespace faultline::gui
