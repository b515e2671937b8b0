// Evaluating availability, latency, count, recovery, breaker and crash-traffic assertions.
#include "harness/assertions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "harness/duration.hpp"
#include "harness/interrupt.hpp"
#include "reports/analysis/measures.hpp"
#include "reports/format.hpp"

namespace faultline::harness {
namespace {

using reports::AssertionResult;

using analysis::answered;

std::string percent(double ratio) { return reports::percent(ratio, 3); }

std::string ms_text(sim::TimeNs ns) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fms", static_cast<double>(ns) / 1e6);
  return buffer;
}

std::string target_name(const Scenario& s, const AssertionSpec& a) {
  switch (a.target_kind) {
    case TargetKind::client: return "client " + s.model.clients[a.target].name;
    case TargetKind::service: return "service " + s.model.services[a.target].name;
    case TargetKind::all_clients: return "all clients";
  }
  return "?";
}

// The totals and series of the assertion's target (all clients summed when no target).
struct Subject {
  sim::Counters totals;
  std::vector<sim::Counters> series;
  const sim::LatencyHistogram* latency = nullptr;
  sim::LatencyHistogram merged;
};

void subject_of(const AssertionSpec& a, const sim::Results& r, Subject& out) {
  auto take = [&](const sim::EntityResults& e) {
    out.totals.add(e.totals);
    analysis::add_series(out.series, e.series);
  };
  switch (a.target_kind) {
    case TargetKind::client:
      take(r.clients[a.target]);
      out.latency = &r.clients[a.target].latency;
      break;
    case TargetKind::service:
      take(r.services[a.target]);
      out.latency = &r.services[a.target].latency;
      break;
    case TargetKind::all_clients:
      for (const auto& c : r.clients) {
        take(c);
        out.merged.merge(c.latency);
      }
      out.latency = &out.merged;
      break;
  }
}

std::size_t bucket_at(const sim::Engine& engine, sim::TimeNs t) {
  return static_cast<std::size_t>(t / engine.config().bucket_ns);
}

void availability(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out) {
  Subject subject;
  subject_of(a, engine.results(), subject);
  out.expected = ">= " + percent(a.min_ratio) + " of " + target_name(s, a) + " requests ok";
  if (a.degraded_failed) {
    // Degraded requests (ok, answered in part by a fallback) count as failed.
    auto count_as_failed = [](sim::Counters& c) {
      c.ok -= c.degraded;
      c.errors += c.degraded;
    };
    count_as_failed(subject.totals);
    for (sim::Counters& c : subject.series) count_as_failed(c);
  }
  if (a.degraded_failed || engine.has_fallbacks()) {
    out.expected += a.degraded_failed ? " (degraded counted as failed)" : " (degraded counted as ok)";
  }
  std::size_t first = 0, last = subject.series.size();  // bucket range considered
  std::string scope;
  if (a.during_fault) {
    FaultWindow w = fault_window(s, engine, *a.during_fault);
    if (w.start >= 0 && w.end < 0) w.end = engine.results().end_ns;  // still active at the end
    out.expected += " during fault " + s.faults[*a.during_fault].name;
    if (w.start < 0) {
      out.passed = false;
      out.observed = "fault " + s.faults[*a.during_fault].name + " never started";
      return;
    }
    first = bucket_at(engine, w.start);
    last = std::min(subject.series.size(), bucket_at(engine, w.end > 0 ? w.end - 1 : 0) + 1);
  }
  const sim::TimeNs bucket = engine.config().bucket_ns;
  if (a.window_ns <= 0 || a.window_ns >= static_cast<sim::TimeNs>(last - first) * bucket) {
    sim::Counters sum;
    for (std::size_t b = first; b < last; ++b) sum.add(subject.series[b]);
    if (!a.during_fault) sum = subject.totals;
    const std::uint64_t n = answered(sum);
    const double ratio = n == 0 ? 1.0 : static_cast<double>(sum.ok) / static_cast<double>(n);
    out.observed_value = ratio;
    out.passed = ratio >= a.min_ratio;
    out.observed = n == 0 ? "no requests" : percent(ratio) + " (" + std::to_string(sum.ok) + " of " + std::to_string(n) + ")";
    return;
  }
  // Every window of the given width (rounded up to whole buckets), sliding by one bucket.
  const std::size_t width = analysis::buckets_covering(a.window_ns, bucket);
  out.expected += " in every " + format_go_duration(a.window_ns) + " window";
  double worst = 2.0;
  std::size_t worst_at = first;
  std::uint64_t worst_ok = 0, worst_n = 0;
  for (analysis::SlidingWindow w(subject.series, first, last, width); w.valid(); w.next()) {
    if ((w.start & 0xfff) == 0) check_wall_budget("evaluating window assertions");
    if (w.n == 0) continue;
    const double ratio = static_cast<double>(w.ok) / static_cast<double>(w.n);
    if (ratio < worst) {
      worst = ratio;
      worst_at = w.start;
      worst_ok = w.ok;
      worst_n = w.n;
    }
  }
  if (worst > 1.0) {
    out.passed = true;
    out.observed_value = 1.0;
    out.observed = "no requests";
    return;
  }
  out.observed_value = worst;
  out.passed = worst >= a.min_ratio;
  out.observed = "worst window " + percent(worst) + " (" + std::to_string(worst_ok) + " of " + std::to_string(worst_n) +
                 ") from " + format_go_duration(static_cast<sim::TimeNs>(worst_at) * bucket);
}

void latency(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out) {
  Subject subject;
  subject_of(a, engine.results(), subject);
  char q[32];
  std::snprintf(q, sizeof q, "p%g", a.percentile);
  const char* measured = a.include_failed ? " (all requests, failed as +inf)" : " (ok requests)";
  out.expected = std::string(q) + " of " + target_name(s, a) + measured + " <= " + ms_text(a.max_ns);
  const std::uint64_t ok = subject.latency->count();
  const std::uint64_t failed = a.include_failed && subject.totals.requests > ok ? subject.totals.requests - ok : 0;
  if (ok == 0) {
    out.passed = false;
    out.observed = failed > 0 ? std::string(q) + " = +inf (every request failed)" : "no successful requests to measure";
    return;
  }
  // Failed requests sort after every ok one: the percentile is +inf when its rank falls among them.
  const std::uint64_t rank = sim::LatencyHistogram::nearest_rank(a.percentile, ok + failed);
  if (rank > ok) {
    out.passed = false;
    out.observed_value = std::numeric_limits<double>::infinity();  // null in JSON
    out.observed = std::string(q) + " = +inf (" + std::to_string(failed) + " of " + std::to_string(ok + failed) +
                   " requests failed)";
    return;
  }
  const sim::TimeNs value = subject.latency->at_rank(rank);
  out.observed_value = static_cast<double>(value) / 1e6;
  out.passed = value <= a.max_ns;
  out.observed = std::string(q) + " = " + ms_text(value);
}

const char* metric_name(CountMetric m) {
  switch (m) {
    case CountMetric::requests: return "requests";
    case CountMetric::ok: return "ok";
    case CountMetric::errors: return "errors";
    case CountMetric::timeouts: return "timeouts";
    case CountMetric::rejected: return "rejected";
    case CountMetric::retries: return "retries";
    case CountMetric::breaker_opens: return "breaker_opens";
    case CountMetric::ejections: return "ejections";
    case CountMetric::unavailable: return "unavailable";
  }
  return "?";
}

std::uint64_t metric_value(const AssertionSpec& a, const sim::Results& r, const Subject& subject) {
  switch (a.metric) {
    case CountMetric::requests: return subject.totals.requests;
    case CountMetric::ok: return subject.totals.ok;
    case CountMetric::errors: return subject.totals.errors;
    case CountMetric::timeouts: return subject.totals.timeouts;
    case CountMetric::rejected: return subject.totals.rejected;
    case CountMetric::retries: return subject.totals.retries;
    case CountMetric::unavailable: return subject.totals.unavailable;
    case CountMetric::breaker_opens:
    case CountMetric::ejections: {
      std::uint64_t total = 0;
      for (std::size_t s = 0; s < r.services.size(); ++s) {
        if (a.target_kind == TargetKind::service && s != a.target) continue;
        total += a.metric == CountMetric::breaker_opens ? r.services[s].breaker_opens : r.services[s].ejections;
      }
      return total;
    }
  }
  return 0;
}

void count(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out) {
  Subject subject;
  subject_of(a, engine.results(), subject);
  const std::uint64_t value = metric_value(a, engine.results(), subject);
  std::string where = a.target_kind == TargetKind::all_clients &&
                              (a.metric == CountMetric::breaker_opens || a.metric == CountMetric::ejections)
                          ? "all services"
                          : target_name(s, a);
  out.expected = std::string(metric_name(a.metric)) + " of " + where;
  if (a.min_count && a.max_count) {
    out.expected += " in [" + std::to_string(*a.min_count) + ", " + std::to_string(*a.max_count) + "]";
  } else if (a.min_count) {
    out.expected += " >= " + std::to_string(*a.min_count);
  } else if (a.max_count) {
    out.expected += " <= " + std::to_string(*a.max_count);
  }
  out.observed_value = static_cast<double>(value);
  out.observed = std::to_string(value);
  out.passed = (!a.min_count || value >= *a.min_count) && (!a.max_count || value <= *a.max_count);
}

// User impact: the time spent in buckets whose availability is below the threshold, the
// longest continuous stretch of them, and the failed requests inside each fault's window.
void impact(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out) {
  Subject subject;
  subject_of(a, engine.results(), subject);
  const sim::TimeNs bucket = engine.config().bucket_ns;
  char threshold[32];
  std::snprintf(threshold, sizeof threshold, "%g%%", a.min_ratio * 100.0);
  out.expected = target_name(s, a) + " below " + threshold + " availability for at most " + format_go_duration(a.max_ns) +
                 " in total";
  const analysis::Impact impact = analysis::impact_below(subject.series, a.min_ratio);
  const sim::TimeNs total_ns = static_cast<sim::TimeNs>(impact.below_buckets) * bucket;
  out.observed_value = sim::to_seconds(total_ns);
  out.passed = total_ns <= a.max_ns;
  out.observed = "below " + std::string(threshold) + " for " + format_go_duration(total_ns);
  if (impact.longest_buckets > 0) {
    out.observed += ", longest " + format_go_duration(static_cast<sim::TimeNs>(impact.longest_buckets) * bucket) + " from " +
                    format_go_duration(static_cast<sim::TimeNs>(impact.longest_end - impact.longest_buckets) * bucket);
  }
  // Failed requests inside each fault's window (buckets overlapping it).
  bool first = true;
  for (std::uint32_t f = 0; f < s.faults.size(); ++f) {
    const FaultWindow w = fault_window(s, engine, f);
    if (w.start < 0) continue;
    const sim::TimeNs end = w.end < 0 ? engine.results().end_ns : w.end;
    const std::uint64_t failed = analysis::failed_between(subject.series, bucket, w.start, end);
    out.observed += (first ? "; failed requests during " : ", ") + s.faults[f].name + ": " + std::to_string(failed);
    first = false;
  }
}

}  // namespace

void evaluate_recovery(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out);
void evaluate_breaker(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out);
void evaluate_crash_traffic(const Scenario& s, const AssertionSpec& a, const sim::Engine& engine, AssertionResult& out);

std::vector<AssertionResult> evaluate_assertions(const Scenario& scenario, const sim::Engine& engine) {
  std::vector<AssertionResult> results;
  for (const AssertionSpec& a : scenario.assertions) {
    AssertionResult r;
    r.name = a.name;
    switch (a.kind) {
      case AssertionKind::availability: r.type = "availability"; availability(scenario, a, engine, r); break;
      case AssertionKind::latency: r.type = "latency"; latency(scenario, a, engine, r); break;
      case AssertionKind::count: r.type = "count"; count(scenario, a, engine, r); break;
      case AssertionKind::recovery: r.type = "recovery"; evaluate_recovery(scenario, a, engine, r); break;
      case AssertionKind::breaker: r.type = "breaker"; evaluate_breaker(scenario, a, engine, r); break;
      case AssertionKind::no_traffic_to_crashed:
        r.type = "no_traffic_to_crashed";
        evaluate_crash_traffic(scenario, a, engine, r);
        break;
      case AssertionKind::impact: r.type = "impact"; impact(scenario, a, engine, r); break;
    }
    results.push_back(std::move(r));
    check_wall_budget("evaluating assertions");
  }
  return results;
}

}  // namespace faultline::harness
