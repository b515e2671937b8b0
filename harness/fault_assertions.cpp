// Assertions about faults: recovery after a fault, breaker reaction, and traffic that still
// reaches crashed instances.
#include <algorithm>
#include <cstdio>
#include <string>

#include "harness/assertions.hpp"
#include "harness/duration.hpp"

namespace faultline::harness {
namespace {

struct Window {
  sim::TimeNs start = -1;
  sim::TimeNs end = -1;
};

Window window_of(const sim::Engine& engine, std::uint32_t fault) {
  Window w;
  for (const sim::TimelineEntry& e : engine.results().timeline) {
    if (e.subject != fault) continue;
    if (e.kind == sim::TimelineKind::fault_start && w.start < 0) w.start = e.at;
    if (e.kind == sim::TimelineKind::fault_end && w.end < 0) w.end = e.at;
  }
  return w;
}

std::string percent(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f%%", ratio * 100.0);
  return buffer;
}

}  // namespace

// Recovery time: from the fault's end to the start of the first window (of the given width)
// whose availability is back at or above the threshold.
void evaluate_recovery(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                       reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  const sim::TimeNs window = a.window_ns > 0 ? a.window_ns : 10 * sim::kSecond;
  out.expected = "availability over " + format_go_duration(window) + " back >= " + percent(a.min_ratio) + " within " +
                 format_go_duration(a.max_ns) + " of the end of fault " + fault;
  const Window w = window_of(engine, *a.fault);
  if (w.end < 0) {
    out.passed = false;
    out.observed = w.start < 0 ? "the fault never started" : "the fault never ended";
    return;
  }
  std::vector<sim::Counters> series;
  const sim::Results& r = engine.results();
  auto take = [&](const sim::EntityResults& e) {
    series.resize(e.series.size());
    for (std::size_t b = 0; b < e.series.size(); ++b) series[b].add(e.series[b].counts);
  };
  if (a.target_kind == TargetKind::client) take(r.clients[a.target]);
  else if (a.target_kind == TargetKind::service) take(r.services[a.target]);
  else for (const auto& c : r.clients) take(c);
  const sim::TimeNs bucket = engine.config().bucket_ns;
  const std::size_t width = static_cast<std::size_t>((window + bucket - 1) / bucket);
  for (std::size_t start = static_cast<std::size_t>(w.end / bucket); start + width <= series.size(); ++start) {
    sim::Counters sum;
    for (std::size_t b = start; b < start + width; ++b) sum.add(series[b]);
    const std::uint64_t n = sum.ok + sum.errors + sum.timeouts + sum.rejected + sum.unavailable;
    if (n == 0) continue;
    if (static_cast<double>(sum.ok) / static_cast<double>(n) >= a.min_ratio) {
      const sim::TimeNs recovered = std::max<sim::TimeNs>(0, static_cast<sim::TimeNs>(start) * bucket - w.end);
      out.observed_value = static_cast<double>(recovered) / 1e9;
      out.passed = recovered <= a.max_ns;
      out.observed = "recovered " + format_go_duration(recovered) + " after the fault ended";
      return;
    }
  }
  out.passed = false;
  out.observed = "not recovered by the end of the run";
}

void evaluate_breaker(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                      reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  const std::string callee = s.model.services[a.callee_service].name;
  const std::string caller =
      a.caller_service ? s.model.services[*a.caller_service].name : s.model.clients[*a.caller_client].name;
  out.expected = "a breaker " + caller + " -> " + callee + " opens within " + format_go_duration(a.open_within_ns) +
                 " of the start of " + fault;
  if (a.close_within_ns) out.expected += " and all close within " + format_go_duration(*a.close_within_ns) + " of its end";
  const Window w = window_of(engine, *a.fault);
  if (w.start < 0) {
    out.passed = false;
    out.observed = "the fault never started";
    return;
  }
  auto matches = [&](std::uint32_t breaker) {
    const sim::SiteRuntime& site = engine.sites()[engine.breaker_info()[breaker].site];
    if (site.callee_service != a.callee_service) return false;
    if (a.caller_service) return site.caller_service == *a.caller_service;
    return site.caller_client == *a.caller_client;
  };
  sim::TimeNs first_open = -1;
  std::vector<sim::TimeNs> last_close(engine.breakers().size(), -1);
  std::vector<bool> opened(engine.breakers().size(), false);
  std::vector<bool> open_now(engine.breakers().size(), false);
  for (const sim::TimelineEntry& e : engine.results().timeline) {
    if (e.kind != sim::TimelineKind::breaker || !matches(e.subject) || e.at < w.start) continue;
    const auto to = static_cast<sim::BreakerState>(e.extra);
    if (to == sim::BreakerState::open) {
      if (first_open < 0) first_open = e.at;
      opened[e.subject] = true;
      open_now[e.subject] = true;
    } else if (to == sim::BreakerState::closed) {
      open_now[e.subject] = false;
      last_close[e.subject] = e.at;
    }
  }
  if (first_open < 0) {
    out.passed = false;
    out.observed = "no breaker opened after the fault started";
    return;
  }
  const sim::TimeNs open_delay = first_open - w.start;
  out.observed = "opened " + format_go_duration(open_delay) + " after the start";
  out.observed_value = static_cast<double>(open_delay) / 1e9;
  out.passed = open_delay <= a.open_within_ns;
  if (!a.close_within_ns) return;
  if (w.end < 0) {
    out.passed = false;
    out.observed += "; the fault never ended";
    return;
  }
  sim::TimeNs latest = -1;
  for (std::size_t b = 0; b < opened.size(); ++b) {
    if (!opened[b]) continue;
    if (open_now[b]) {
      out.passed = false;
      out.observed += "; " + engine.breaker_name(static_cast<std::uint32_t>(b)) + " still not closed at the end";
      return;
    }
    latest = std::max(latest, last_close[b]);
  }
  const sim::TimeNs close_delay = std::max<sim::TimeNs>(0, latest - w.end);
  out.observed += "; all closed " + format_go_duration(close_delay) + " after the end";
  out.passed = out.passed && close_delay <= *a.close_within_ns;
}

void evaluate_crash_traffic(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine,
                            reports::AssertionResult& out) {
  const std::string fault = s.faults[*a.fault].name;
  out.expected = "no request reaches an instance crashed by " + fault + " later than " +
                 format_go_duration(a.within_ns) + " after the crash";
  sim::TimeNs worst = -1;
  std::uint32_t worst_instance = sim::kNone;
  bool any = false;
  for (const sim::TimelineEntry& e : engine.results().timeline) {
    if (e.kind != sim::TimelineKind::instance_state || e.extra != *a.fault + 1) continue;
    if (static_cast<sim::InstanceStatus>(e.detail) != sim::InstanceStatus::crashed) continue;
    any = true;
    const sim::TimeNs lag = engine.instances()[e.subject].max_down_arrival_lag_ns;
    if (lag > worst) {
      worst = lag;
      worst_instance = e.subject;
    }
  }
  if (!any) {
    out.passed = false;
    out.observed = "the fault crashed no instance";
    return;
  }
  if (worst < 0) {
    out.passed = true;
    out.observed = "no request reached a crashed instance";
    return;
  }
  out.observed_value = static_cast<double>(worst) / 1e9;
  out.passed = worst <= a.within_ns;
  out.observed = "last request reached " + engine.instance_name(worst_instance) + " " + format_go_duration(worst) +
                 " after its crash";
}

}  // namespace faultline::harness
