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

LaneSegment planned_window(const TopoFault& fault, TimeNs run_end_ns) {
  LaneSegment s;
  s.start_ns = fault.at_ns;
  s.end_ns = fault.duration_ns == sim::kNever || fault.duration_ns > run_end_ns - fault.at_ns ? run_end_ns
                                                                                             : fault.at_ns + fault.duration_ns;
  s.state = 1;
  return s;
}

namespace {

// Appends or closes segments of one lane as its state changes; `normal` states are not drawn.
void change_state(Lane& lane, TimeNs at, std::uint8_t state, std::uint8_t normal, std::uint32_t count = 0) {
  if (!lane.segments.empty() && lane.segments.back().end_ns < 0) {
    LaneSegment& open = lane.segments.back();
    if (open.state == state && open.count == count) return;
    open.end_ns = at;
  }
  if (state != normal) lane.segments.push_back({at, -1, state, count});
}

void close_all(std::vector<Lane>& lanes, TimeNs end_ns) {
  for (Lane& lane : lanes) {
    if (!lane.segments.empty() && lane.segments.back().end_ns < 0) lane.segments.back().end_ns = end_ns;
  }
}

}  // namespace

Lanes build_lanes(const Topology& t, std::span<const sim::TimelineEntry> timeline, TimeNs end_ns) {
  Lanes lanes;
  lanes.faults.resize(t.faults.size());
  for (std::uint32_t f = 0; f < t.faults.size(); ++f) {
    lanes.faults[f].kind = LaneKind::fault;
    lanes.faults[f].entity = {EntityKind::fault, f};
    lanes.faults[f].label = t.faults[f].name;
  }
  std::vector<Lane> edge_lanes(t.edges.size());
  std::vector<std::uint32_t> open_count(t.edges.size(), 0);
  std::vector<std::uint32_t> half_count(t.edges.size(), 0);
  std::vector<Lane> breaker_lanes(t.breakers.size());
  std::vector<sim::BreakerState> breaker_state(t.breakers.size(), sim::BreakerState::closed);
  std::vector<Lane> instance_lanes(t.instances.size());
  // Crash faults have no end of their own (restart_after brings instances back); their window
  // is drawn until the last instance they crashed is up again.
  std::vector<std::uint32_t> down_by(t.instances.size(), kNone);
  std::vector<std::uint32_t> still_down(t.faults.size(), 0);
  std::vector<TimeNs> last_back_up(t.faults.size(), -1);

  for (const sim::TimelineEntry& e : timeline) {
    switch (e.kind) {
      case sim::TimelineKind::fault_start:
        if (e.subject < lanes.faults.size()) change_state(lanes.faults[e.subject], e.at, 1, 0);
        break;
      case sim::TimelineKind::fault_end:
        if (e.subject < lanes.faults.size()) change_state(lanes.faults[e.subject], e.at, 0, 0);
        break;
      case sim::TimelineKind::breaker: {
        if (e.subject >= t.breakers.size()) break;
        const auto to = static_cast<sim::BreakerState>(e.extra);
        const std::uint32_t edge = t.breakers[e.subject].edge;
        const sim::BreakerState from = breaker_state[e.subject];
        if (from == sim::BreakerState::open) --open_count[edge];
        if (from == sim::BreakerState::half_open) --half_count[edge];
        if (to == sim::BreakerState::open) ++open_count[edge];
        if (to == sim::BreakerState::half_open) ++half_count[edge];
        breaker_state[e.subject] = to;
        change_state(breaker_lanes[e.subject], e.at, static_cast<std::uint8_t>(to), 0);
        const sim::BreakerState worst = open_count[edge] > 0   ? sim::BreakerState::open
                                        : half_count[edge] > 0 ? sim::BreakerState::half_open
                                                               : sim::BreakerState::closed;
        const std::uint32_t count = worst == sim::BreakerState::open ? open_count[edge] : half_count[edge];
        change_state(edge_lanes[edge], e.at, static_cast<std::uint8_t>(worst), 0,
                     worst == sim::BreakerState::closed ? 0 : count);
        break;
      }
      case sim::TimelineKind::instance_state: {
        if (e.subject >= instance_lanes.size()) break;
        change_state(instance_lanes[e.subject], e.at, static_cast<std::uint8_t>(e.detail), 0);
        const auto status = static_cast<sim::InstanceStatus>(e.detail);
        if (status == sim::InstanceStatus::crashed && e.extra > 0 && e.extra - 1 < t.faults.size() && down_by[e.subject] == kNone) {
          down_by[e.subject] = e.extra - 1;
          ++still_down[e.extra - 1];
        } else if (status == sim::InstanceStatus::up && down_by[e.subject] != kNone) {
          const std::uint32_t f = down_by[e.subject];
          down_by[e.subject] = kNone;
          --still_down[f];
          last_back_up[f] = e.at;
        }
        break;
      }
      default: break;
    }
  }
  for (std::uint32_t f = 0; f < t.faults.size(); ++f) {
    auto& segments = lanes.faults[f].segments;
    if (!faults::kind_unit(t.faults[f].kind).traits.ends_at_restart || segments.empty() || segments.back().end_ns >= 0) continue;
    if (still_down[f] == 0 && last_back_up[f] >= segments.back().start_ns) segments.back().end_ns = last_back_up[f];
  }
  close_all(lanes.faults, end_ns);
  close_all(edge_lanes, end_ns);
  close_all(breaker_lanes, end_ns);
  close_all(instance_lanes, end_ns);

  for (std::uint32_t e = 0; e < t.edges.size(); ++e) {
    if (t.edges[e].breakers.empty()) continue;
    Lane& lane = edge_lanes[e];
    lane.kind = LaneKind::edge;
    lane.entity = {EntityKind::edge, e};
    lane.label = t.edges[e].name;
    lanes.edges.push_back(std::move(lane));
  }
  for (std::uint32_t b = 0; b < t.breakers.size(); ++b) {
    if (breaker_lanes[b].segments.empty()) continue;
    Lane& lane = breaker_lanes[b];
    lane.kind = LaneKind::breaker;
    lane.entity = {EntityKind::breaker, b};
    lane.label = t.breakers[b].name;
    lanes.breakers.push_back(std::move(lane));
  }
  for (std::uint32_t i = 0; i < t.instances.size(); ++i) {
    if (instance_lanes[i].segments.empty()) continue;
    Lane& lane = instance_lanes[i];
    lane.kind = LaneKind::instance;
    lane.entity = {EntityKind::instance, i};
    lane.label = t.instances[i].name;
    lanes.instances.push_back(std::move(lane));
  }
  return lanes;
}

}  // namespace faultline::gui
