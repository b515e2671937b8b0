// Assertions about faults: recovery after a fault, breaker reaction, and traffic that still
// reaches crashed instances. Each judges the finished run against one fault's window.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/assertions.hpp"
#include "harness/duration.hpp"
#include "harness/interrupt.hpp"
#include "reports/analysis/measures.hpp"
#include "reports/format.hpp"

namespace faultline::harness {
namespace {

std::string subject_name(const Scenario& s, const AssertionSpec& a) {
  switch (a.target_kind) {
    case TargetKind::client: return "client " + s.model.clients[a.target].name;
    case TargetKind::service: return "service " + s.model.services[a.target].name;
    case TargetKind::all_clients: return "all clients";
  }
  return "?";
}

std::string percent(double ratio) { return reports::percent_fixed(ratio, 2); }

}  // namespace

FaultWindow fault_window(const Scenario& s, const sim::Engine& engine, std::uint32_t fault) {
  const faults::FaultSpec& spec = s.faults[fault];
  return analysis::fault_window({spec.kind, spec.at_ns, spec.duration_ns}, fault, engine.results());
}

std::optional<std::uint32_t> assertion_fault(const AssertionSpec& a) { return a.fault ? a.fault : a.during_fault; }

bool needs_fault_end(const AssertionSpec& a) {
  return a.kind == AssertionKind::recovery || a.kind == AssertionKind::breaker || a.during_fault.has_value();
}

// Recovery time: from the fault's end (from its start when it never ends, as a crash) to the
// start of the first window (of the given width) whose availability is back at or above the
// threshold. Windows slide by one bucket and start no earlier than the bucket holding that
// instant.
void evaluate_recovery(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                       reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  const sim::TimeNs window = a.window_ns > 0 ? a.window_ns : 10 * sim::kSecond;
  const FaultWindow w = fault_window(s, engine, *a.fault);
  const bool never_ends = s.faults[*a.fault].duration_ns == sim::kNever;
  out.expected = "availability of " + subject_name(s, a) + " over " + format_go_duration(window) + " back >= " +
                 percent(a.min_ratio) + " within " + format_go_duration(a.max_ns) + " of the " +
                 (never_ends ? "start" : "end") + " of fault " + fault;
  if (w.start < 0) {
    out.passed = false;
    out.observed = "the fault never started";
    return;
  }
  if (!never_ends && w.end < 0) {
    out.passed = false;
    out.observed = "the fault had not ended when the run did";
    return;
  }
  const sim::TimeNs from = never_ends ? w.start : w.end;
  std::vector<sim::Counters> series;
  const sim::Results& r = engine.results();
  if (a.target_kind == TargetKind::client) {
    analysis::add_series(series, r.clients[a.target].series);
  } else if (a.target_kind == TargetKind::service) {
    analysis::add_series(series, r.services[a.target].series);
  } else {
    for (const auto& c : r.clients) analysis::add_series(series, c.series);
  }
  const sim::TimeNs bucket = engine.config().bucket_ns;
  check_wall_budget("evaluating recovery assertions");
  const analysis::Recovery rec = analysis::recover(series, bucket, from, analysis::buckets_covering(window, bucket), a.min_ratio);
  if (rec.recovered) {
    out.observed_value = static_cast<double>(rec.after_ns) / 1e9;
    out.passed = rec.after_ns <= a.max_ns;
    out.observed = "recovered " + format_go_duration(rec.after_ns) + " after the fault " + (never_ends ? "started" : "ended") +
                   " (" + percent(rec.ratio) + " over the " + format_go_duration(window) + " from " +
                   format_go_duration(rec.window_start_ns) + ")";
    return;
  }
  out.passed = false;
  out.observed = "not recovered by the end of the run";
}

namespace {

// Whether `breaker` guards the assertion's caller -> callee.
bool breaker_matches(const AssertionSpec& a, const sim::Engine& engine, std::uint32_t breaker) {
  const sim::SiteRuntime& site = engine.sites()[engine.breaker_info()[breaker].site];
  if (site.callee_service != a.callee_service) return false;
  if (a.caller_service) return site.caller_service == *a.caller_service;
  return site.caller_client == *a.caller_client;
}

// What the matching breakers did around a fault's window, from the run's timeline.
struct BreakerHistory {
  sim::TimeNs first_open = -1;  // the first opening at or after the fault's start
  std::uint32_t first_breaker = 0;
  std::vector<sim::BreakerState> state_at_end;  // each breaker's state when the fault ended
  std::vector<sim::TimeNs> closed_after_end;    // its first closing at or after the end (-1: none)
  std::vector<bool> opened;                     // it opened during the fault
};

BreakerHistory breaker_history(const AssertionSpec& a, const sim::Engine& engine, const FaultWindow& w) {
  const std::size_t count = engine.breakers().size();
  BreakerHistory h;
  h.state_at_end.assign(count, sim::BreakerState::closed);
  h.closed_after_end.assign(count, -1);
  h.opened.assign(count, false);
  std::vector<sim::BreakerState> state(count, sim::BreakerState::closed);
  bool end_seen = false;
  for (const sim::TimelineEntry& e : engine.results().timeline) {
    if (w.end >= 0 && !end_seen && e.at >= w.end) {
      h.state_at_end = state;
      end_seen = true;
    }
    if (e.kind != sim::TimelineKind::breaker || !breaker_matches(a, engine, e.subject)) continue;
    const auto to = static_cast<sim::BreakerState>(e.extra);
    state[e.subject] = to;
    if (e.at < w.start) continue;
    if (to == sim::BreakerState::open) {
      if (h.first_open < 0) {
        h.first_open = e.at;
        h.first_breaker = e.subject;
      }
      if (w.end < 0 || e.at < w.end) h.opened[e.subject] = true;
    } else if (to == sim::BreakerState::closed && w.end >= 0 && e.at >= w.end && h.closed_after_end[e.subject] < 0) {
      h.closed_after_end[e.subject] = e.at;
    }
  }
  if (w.end >= 0 && !end_seen) h.state_at_end = state;
  return h;
}

// The closing half: every breaker that opened during the fault and was not closed at its end
// closes within close_within of the end; the slowest one is named.
void judge_breaker_closing(const AssertionSpec& a, const sim::Engine& engine, const FaultWindow& w, const BreakerHistory& h,
                           reports::AssertionResult& out) {
  if (w.end < 0) {
    out.passed = false;
    out.observed += "; the fault never ended";
    return;
  }
  sim::TimeNs latest = 0;
  std::uint32_t latest_breaker = sim::kNone;
  for (std::uint32_t b = 0; b < h.opened.size(); ++b) {
    if (!h.opened[b] || h.state_at_end[b] == sim::BreakerState::closed) continue;
    if (h.closed_after_end[b] < 0) {
      out.passed = false;
      out.observed += "; " + engine.breaker_name(b) + " never closed after the end";
      return;
    }
    if (h.closed_after_end[b] - w.end >= latest) {
      latest = h.closed_after_end[b] - w.end;
      latest_breaker = b;
    }
  }
  if (latest_breaker == sim::kNone) {
    out.observed += "; all were closed when it ended";
  } else {
    out.observed += "; the last, " + engine.breaker_name(latest_breaker) + ", closed " + format_go_duration(latest) +
                    " after the end";
  }
  out.passed = out.passed && latest <= *a.close_within_ns;
}

}  // namespace

// A breaker from the caller to the callee opens within open_within of the fault's start
// (the first opening at or after the start counts), and every such breaker that is not closed
// when the fault ends closes within close_within of the end (its first closing after the end
// counts, so a later, unrelated opening does not spoil it).
void evaluate_breaker(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                      reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  const std::string callee = s.model.services[a.callee_service].name;
  const std::string caller =
      a.caller_service ? s.model.services[*a.caller_service].name : s.model.clients[*a.caller_client].name;
  out.expected = "a breaker " + caller + " -> " + callee + " opens within " + format_go_duration(a.open_within_ns) +
                 " of the start of " + fault;
  if (a.close_within_ns) out.expected += " and all close within " + format_go_duration(*a.close_within_ns) + " of its end";
  const FaultWindow w = fault_window(s, engine, *a.fault);
  if (w.start < 0) {
    out.passed = false;
    out.observed = "the fault never started";
    return;
  }
  const BreakerHistory h = breaker_history(a, engine, w);
  if (h.first_open < 0) {
    out.passed = false;
    out.observed = "no breaker " + caller + " -> " + callee + " opened after the fault started";
    return;
  }
  const sim::TimeNs open_delay = h.first_open - w.start;
  out.observed = engine.breaker_name(h.first_breaker) + " opened " + format_go_duration(open_delay) + " after the start";
  out.observed_value = static_cast<double>(open_delay) / 1e9;
  out.passed = open_delay <= a.open_within_ns;
  if (a.close_within_ns) judge_breaker_closing(a, engine, w, h, out);
}

// Requests that callers still addressed to instances this fault had crashed, while they were
// down: the longest lag after a crash must stay within the bound.
void evaluate_crash_traffic(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                            reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  out.expected = "no request is sent to an instance crashed by " + fault + " later than " +
                 format_go_duration(a.within_ns) + " after the crash";
  std::uint64_t crashes = 0;
  for (const sim::TimelineEntry& e : engine.results().timeline) {
    if (e.kind == sim::TimelineKind::instance_state && e.extra == *a.fault + 1 &&
        static_cast<sim::InstanceStatus>(e.detail) == sim::InstanceStatus::crashed) {
      ++crashes;
    }
  }
  if (crashes == 0) {
    out.passed = false;
    out.observed = "the fault crashed no instance";
    return;
  }
  const auto& traffic = engine.results().crash_traffic;
  const std::string crashed = std::to_string(crashes) + (crashes == 1 ? " crash" : " crashes");
  if (*a.fault >= traffic.size() || traffic[*a.fault].attempts == 0) {
    out.passed = true;
    out.observed_value = 0;
    out.observed = "no request was sent to a crashed instance (" + crashed + ")";
    return;
  }
  const sim::CrashTraffic& t = traffic[*a.fault];
  out.observed_value = static_cast<double>(t.max_lag_ns) / 1e9;
  out.passed = t.max_lag_ns <= a.within_ns;
  out.observed = "the last reached " + engine.instance_name(t.instance) + " " + format_go_duration(t.max_lag_ns) +
                 " after its crash (" + std::to_string(t.attempts) + " requests to crashed instances, " + crashed + ")";
}

}  // namespace faultline::harness
