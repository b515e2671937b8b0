// Building report.json from a finished engine.
#include "reports/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "faults/kind.hpp"
#include "reports/analysis/measures.hpp"
#include "reports/analysis/windows.hpp"
#include "reports/report_view.hpp"
#include "reports/sha256.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

// `degraded`: the model has fallbacks, so the report says how many of the ok requests were
// answered in part by one.
json counters_json(const sim::Counters& c, bool degraded) {
  json out;
  out["requests"] = c.requests;
  out["ok"] = c.ok;
  if (degraded) out["degraded"] = c.degraded;
  out["errors"] = c.errors;
  out["timeouts"] = c.timeouts;
  out["rejected"] = c.rejected;
  out["unavailable"] = c.unavailable;
  out["retries"] = c.retries;
  return out;
}

json latency_json(const sim::LatencyHistogram& h) {
  json out;
  out["count"] = h.count();
  out["p50_ms"] = round_ms(h.percentile(50.0));
  out["p90_ms"] = round_ms(h.percentile(90.0));
  out["p99_ms"] = round_ms(h.percentile(99.0));
  out["p99_9_ms"] = round_ms(h.percentile(99.9));
  out["max_ms"] = round_ms(h.max());
  out["mean_ms"] = h.empty() ? 0.0 : std::round(h.mean() / 1e3) / 1e3;
  return out;
}

json entity_json(const sim::EntityResults& e, bool degraded) {
  json out;
  out["name"] = e.name;
  out["totals"] = counters_json(e.totals, degraded);
  out["availability"] = std::round(analysis::availability(e.totals) * 1e6) / 1e6;
  if (degraded) {
    // Degraded answers counted as failures: the share answered in full.
    sim::Counters full = e.totals;
    full.ok -= full.degraded;
    full.errors += full.degraded;
    out["availability_without_degraded"] = std::round(analysis::availability(full) * 1e6) / 1e6;
  }
  out["latency"] = latency_json(e.latency);
  return out;
}

json series_json(const sim::EntityResults& e, bool service) {
  json out;
  out["name"] = e.name;
  json requests = json::array(), ok = json::array(), errors = json::array(), timeouts = json::array(),
       rejected = json::array(), p50 = json::array(), p99 = json::array(), queue = json::array(),
       in_flight = json::array();
  for (const sim::BucketSample& s : e.series) {
    requests.push_back(s.counts.requests);
    ok.push_back(s.counts.ok);
    errors.push_back(s.counts.errors + s.counts.unavailable);
    timeouts.push_back(s.counts.timeouts);
    rejected.push_back(s.counts.rejected);
    p50.push_back(round_ms(s.p50_ns));
    p99.push_back(round_ms(s.p99_ns));
    if (service) queue.push_back(s.queue_depth);
    in_flight.push_back(s.in_flight);
  }
  out["requests"] = std::move(requests);
  out["ok"] = std::move(ok);
  out["errors"] = std::move(errors);
  out["timeouts"] = std::move(timeouts);
  out["rejected"] = std::move(rejected);
  out["p50_ms"] = std::move(p50);
  out["p99_ms"] = std::move(p99);
  if (service) out["queue_depth"] = std::move(queue);
  out["in_flight"] = std::move(in_flight);
  return out;
}

// Per call site, on the caller's side: what left the caller and how each attempt ended.
json call_sites_json(const sim::Engine& engine) {
  json out = json::array();
  const sim::Results& results = engine.results();
  for (std::uint32_t i = 0; i < engine.sites().size(); ++i) {
    const sim::SiteRuntime& site = engine.sites()[i];
    const sim::CallSiteCounters& c = results.sites[i];
    json item;
    item["caller"] = engine.site_caller_name(i);
    item["callee"] = engine.config().services[site.callee_service].name;
    item["operation"] = engine.operation_name(site.callee_operation);
    item["scope"] = site.view_count > 1 ? "caller_instance" : "caller_service";
    item["attempts"] = c.attempts;
    item["sent"] = c.sent;
    item["ok"] = c.ok;
    item["failed"] = {{"error", c.errors}, {"timeout", c.timeouts}, {"unavailable", c.unavailable}};
    // Of the errors, the refused connections: where one of the call's policies names them.
    if (site.policy->names_connection_refused) item["failed"]["connection_refused"] = c.connection_refused;
    item["short_circuited"] = c.short_circuited;
    item["shed"] = c.shed;
    item["retries"] = c.retries;
    item["breaker_opens"] = c.breaker_opens;
    // Counters of features off by default appear where the feature is on.
    const sim::CallPolicy& policy = *site.policy;
    if (policy.hedging.enabled ||
        (site.caller_service != sim::kNone && engine.config().services[site.caller_service].honours_cancellation)) {
      item["cancelled"] = c.cancelled;
    }
    if (policy.deadline_propagation) item["deadline_exceeded"] = c.deadline_exceeded;
    if (policy.hedging.enabled) item["hedged"] = c.hedged;
    if (engine.config().services[site.callee_service].rate_limit.enabled) item["rate_limited"] = c.rate_limited;
    if (policy.rate_limit.enabled) item["throttled"] = c.throttled;
    if (policy.rate_limit.enabled && policy.rate_limit.wait) item["rate_waited"] = c.rate_waited;
    if (policy.bulkhead.enabled) item["bulkhead_full"] = c.bulkhead_full;
    if (policy.bulkhead.enabled && policy.bulkhead.max_wait_ns > 0) item["bulkhead_waited"] = c.bulkhead_waited;
    if (engine.has_fallbacks()) item["degraded"] = c.degraded;
    if (policy.fallback.enabled) item["fallbacks"] = c.fallbacks;
    out.push_back(std::move(item));
  }
  return out;
}

std::string seconds_text(sim::TimeNs ns) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%09lld", static_cast<long long>(ns / sim::kSecond),
                static_cast<long long>(ns % sim::kSecond));
  return buffer;
}

// Why a breaker changed state, for the timeline: the failures that tripped it, the half-open
// probe's target and outcome, or the open timeout running out.
json breaker_cause_json(const sim::Engine& engine, const sim::TimelineEntry& entry) {
  json cause;
  switch (entry.cause) {
    case sim::BreakerCause::none: return json(nullptr);
    case sim::BreakerCause::timeout: cause["kind"] = "timeout"; return cause;
    case sim::BreakerCause::tripped: {
      cause["kind"] = "tripped";
      const sim::BreakerInfo& info = engine.breaker_info()[entry.subject];
      const bool ratio = engine.sites()[info.site].policy->breaker.trip == sim::TripRule::failure_ratio;
      cause[ratio ? "failures" : "consecutive_failures"] = entry.cause_failures;
      if (ratio) cause["requests"] = entry.cause_requests;
      break;
    }
    case sim::BreakerCause::probe: cause["kind"] = "probe"; break;
  }
  cause["instance"] = entry.cause_instance == sim::kNone ? json(nullptr) : json(engine.instance_name(entry.cause_instance));
  cause["outcome"] = sim::outcome_name(static_cast<sim::Outcome>(entry.cause_outcome));
  return cause;
}

// A short sentence for the cause, as the text timeline and the HTML show it.
std::string breaker_cause_text(const json& cause) {
  if (!cause.is_object()) return "";
  const std::string kind = cause["kind"].get<std::string>();
  if (kind == "timeout") return "open timeout ran out";
  const std::string target = cause["instance"].is_string() ? cause["instance"].get<std::string>() : "no instance";
  const std::string outcome = cause["outcome"].get<std::string>();
  if (kind == "probe") return "probe to " + target + ": " + outcome;
  if (cause.contains("consecutive_failures")) {
    return std::to_string(cause["consecutive_failures"].get<std::uint32_t>()) + " consecutive failures, the last " +
           outcome + " from " + target;
  }
  return std::to_string(cause["failures"].get<std::uint32_t>()) + " failures in " +
         std::to_string(cause["requests"].get<std::uint32_t>()) + " requests, the last " + outcome + " from " + target;
}

// The breakers that moved, each with its caller and callee as fields and its transitions.
void add_breakers(const sim::Engine& engine, std::vector<json>& breaker_transitions, json& breakers_out) {
  for (std::size_t b = 0; b < breaker_transitions.size(); ++b) {
    if (breaker_transitions[b].empty()) continue;  // breakers that never moved stay out
    json breaker;
    breaker["name"] = engine.breaker_name(static_cast<std::uint32_t>(b));
    const sim::BreakerInfo& info = engine.breaker_info()[b];
    breaker["caller"] = info.caller_instance != sim::kNone ? engine.instance_name(info.caller_instance)
                                                            : engine.site_caller_name(info.site);
    breaker["caller_entity"] = engine.site_caller_name(info.site);
    breaker["callee"] = engine.config().services[engine.sites()[info.site].callee_service].name;
    breaker["opens"] = engine.breakers()[b].opens();
    breaker["transitions"] = std::move(breaker_transitions[b]);
    breakers_out.push_back(std::move(breaker));
  }
}

// Every timeline entry, in order; breaker transitions also go to `breakers_out` (per breaker)
// and registry changes to `discovery_out`.
json timeline_json(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, json& breakers_out,
                   json& discovery_out) {
  json timeline = json::array();
  const sim::Results& results = engine.results();
  std::vector<json> breaker_transitions(engine.breakers().size(), json::array());
  for (const sim::TimelineEntry& entry : results.timeline) {
    json item;
    item["at_ns"] = entry.at;
    item["at"] = seconds_text(entry.at);
    switch (entry.kind) {
      case sim::TimelineKind::fault_start:
      case sim::TimelineKind::fault_end: {
        const bool start = entry.kind == sim::TimelineKind::fault_start;
        item["kind"] = start ? "fault_start" : "fault_end";
        item["fault"] = entry.subject < faults.size() ? faults[entry.subject].name : "?";
        if (entry.subject < faults.size()) item["fault_kind"] = faults::fault_kind_name(faults[entry.subject].kind);
        break;
      }
      case sim::TimelineKind::breaker: {
        item["kind"] = "breaker";
        item["breaker"] = engine.breaker_name(entry.subject);
        item["from"] = sim::breaker_state_name(static_cast<sim::BreakerState>(entry.detail));
        item["to"] = sim::breaker_state_name(static_cast<sim::BreakerState>(entry.extra));
        item["cause"] = breaker_cause_json(engine, entry);
        item["why"] = breaker_cause_text(item["cause"]);
        json transition;
        transition["at"] = item["at"];
        transition["from"] = item["from"];
        transition["to"] = item["to"];
        transition["cause"] = item["cause"];
        transition["why"] = item["why"];
        breaker_transitions[entry.subject].push_back(std::move(transition));
        break;
      }
      case sim::TimelineKind::instance_state:
        item["kind"] = "instance";
        item["instance"] = engine.instance_name(entry.subject);
        item["state"] = sim::instance_status_name(static_cast<sim::InstanceStatus>(entry.detail));
        break;
      case sim::TimelineKind::registry: {
        item["kind"] = "registry";
        item["instance"] = engine.instance_name(entry.subject);
        item["change"] = sim::registry_change_name(static_cast<sim::RegistryChange>(entry.detail));
        json change;
        change["at"] = item["at"];
        change["instance"] = item["instance"];
        change["change"] = item["change"];
        discovery_out.push_back(std::move(change));
        break;
      }
      case sim::TimelineKind::ejection:
      case sim::TimelineKind::ejection_end:
        item["kind"] = entry.kind == sim::TimelineKind::ejection ? "ejection" : "ejection_end";
        item["caller"] = entry.extra == sim::kNone
                             ? engine.site_name(entry.subject)
                             : engine.instance_name(entry.extra) + " -> " +
                                   engine.config().services[engine.sites()[entry.subject].callee_service].name;
        item["instance"] = engine.instance_name(entry.detail);
        break;
    }
    timeline.push_back(std::move(item));
  }
  add_breakers(engine, breaker_transitions, breakers_out);
  return timeline;
}

// User impact per client (issue 12 §5), by the rule the impact assertion and the sweep use
// (analysis::impact_below): seconds in buckets below kImpactRatio availability, the longest
// unbroken stretch of them and where it starts, and the client's failed requests in the
// buckets overlapping each fault that started. See docs/reports.md.
constexpr double kImpactRatio = 0.99;

json impact_json(const sim::EntityResults& client, std::span<const analysis::FaultWindow> windows,
                 std::span<const faults::FaultSpec> faults, sim::TimeNs bucket_ns, sim::TimeNs run_end_ns) {
  std::vector<sim::Counters> series;
  analysis::add_series(series, client.series);
  const analysis::Impact impact = analysis::impact_below(series, kImpactRatio);
  auto seconds = [&](std::uint64_t buckets) {
    return static_cast<double>(static_cast<sim::TimeNs>(buckets) * bucket_ns) / 1e9;
  };
  json out;
  out["threshold"] = kImpactRatio;
  out["below_99_s"] = seconds(impact.below_buckets);
  out["longest_below_99_s"] = seconds(impact.longest_buckets);
  out["longest_from"] = impact.longest_buckets > 0
                            ? json(seconds_text(static_cast<sim::TimeNs>(impact.longest_end - impact.longest_buckets) * bucket_ns))
                            : json(nullptr);
  json failed = json::array();
  for (std::size_t f = 0; f < windows.size(); ++f) {
    const analysis::FaultWindow& w = windows[f];
    if (!w.started()) continue;
    json item;
    item["fault"] = faults[f].name;
    item["failed_requests"] = analysis::failed_between(series, bucket_ns, w.start, w.ended() ? w.end : run_end_ns);
    failed.push_back(std::move(item));
  }
  out["failed_during_faults"] = std::move(failed);
  return out;
}

// Recovery of the clients after each fault, by the one rule the recovery assertion uses
// (analysis::recover): from the fault's end (from its start when it is never reverted), the
// first window of kRecoveredBuckets buckets whose combined client availability is at or above
// kRecoveredRatio. The lowest bucket availability runs from the fault's start to the end of
// that window (or of the run). See docs/reports.md.
constexpr double kRecoveredRatio = 0.99;
constexpr std::size_t kRecoveredBuckets = 5;

json recovery_json(const analysis::FaultWindow& w, std::span<const sim::Counters> clients, sim::TimeNs bucket_ns) {
  json recovery;
  if (!w.started() || clients.empty()) {
    recovery["measured_from"] = nullptr;
    recovery["recovered_after_s"] = nullptr;
    recovery["min_availability"] = nullptr;
    return recovery;
  }
  const sim::TimeNs from_ns = w.ended() ? w.end : w.start;
  const analysis::Recovery r = analysis::recover(clients, bucket_ns, from_ns, kRecoveredBuckets, kRecoveredRatio);
  const std::size_t first = std::min(analysis::bucket_of(w.start, bucket_ns), clients.size());
  const std::optional<double> lowest = analysis::lowest_availability(clients, first, r.window_end);
  recovery["measured_from"] = w.ended() ? "end" : "start";
  recovery["recovered_after_s"] = r.recovered ? json(static_cast<double>((r.after_ns + 500'000) / 1'000'000) / 1000.0) : json(nullptr);
  recovery["min_availability"] = std::round(lowest.value_or(1.0) * 1e6) / 1e6;
  return recovery;
}

// Each fault's window (analysis::fault_windows) and the clients' recovery from it.
json faults_json(const sim::Engine& engine, std::span<const faults::FaultSpec> faults) {
  const sim::Results& results = engine.results();
  const std::vector<analysis::FaultTiming> timings = analysis::timings_of(faults);
  const std::vector<analysis::FaultWindow> windows = analysis::fault_windows(timings, results.timeline, results.end_ns, results.timeline_dropped == 0);
  std::vector<sim::Counters> clients;
  for (const sim::EntityResults& c : results.clients) analysis::add_series(clients, c.series);
  const sim::TimeNs bucket_ns = engine.config().bucket_ns > 0 ? engine.config().bucket_ns : sim::kSecond;
  json out = json::array();
  for (std::size_t f = 0; f < faults.size(); ++f) {
    const analysis::FaultWindow& w = windows[f];
    json fault;
    fault["name"] = faults[f].name;
    fault["kind"] = faults::fault_kind_name(faults[f].kind);
    fault["start"] = w.started() ? json(seconds_text(w.start)) : json(nullptr);
    fault["end"] = w.ended() ? json(seconds_text(w.end)) : json(nullptr);
    fault["restored"] = w.restored >= 0 ? json(seconds_text(w.restored)) : json(nullptr);
    fault["recovery"] = recovery_json(w, clients, bucket_ns);
    // Every client's failed requests in the buckets overlapping the window (as each client's
    // impact.failed_during_faults, summed); null when the fault never started.
    fault["failed_requests"] = w.started() ? json(analysis::failed_between(clients, bucket_ns, w.start, w.ended() ? w.end : results.end_ns))
                                           : json(nullptr);
    out.push_back(std::move(fault));
  }
  return out;
}

json policy_json(const sim::CallPolicy& policy) {
  json out;
  out["timeout_ms"] = round_ms(policy.timeout_ns);
  out["max_attempts"] = policy.retry.max_attempts;
  out["breaker"] = policy.breaker.enabled;
  out["load_balancer"] = sim::load_balancer_name(policy.load_balancer);
  out["outlier_detection"] = policy.outlier.enabled;
  return out;
}

// Who calls whom and where instances run, for the HTML report's topology drawing.
json topology_json(const sim::ModelConfig& config) {
  json topology;
  topology["zones"] = config.zones;
  json clients = json::array();
  for (const sim::ClientConfig& c : config.clients) {
    json item;
    item["name"] = c.name;
    item["zone"] = c.zone < config.zones.size() ? config.zones[c.zone] : "?";
    item["service"] = config.services[c.service].name;
    item["workload"] = c.closed_loop ? "closed_loop" : "open_loop";
    if (c.closed_loop) item["users"] = c.users;
    item["policy"] = policy_json(c.policy);
    clients.push_back(std::move(item));
  }
  topology["clients"] = std::move(clients);
  json services = json::array();
  for (const sim::ServiceConfig& s : config.services) {
    json item;
    item["name"] = s.name;
    item["workers"] = s.workers;
    item["queue_capacity"] = s.queue_capacity;
    // Instances per zone, in the order of the scenario's zones.
    std::vector<std::uint32_t> per_zone(config.zones.size(), 0);
    for (const sim::InstanceGroup& g : s.placement) {
      if (g.zone < per_zone.size()) per_zone[g.zone] += g.count;
    }
    json placement = json::array();
    for (std::size_t z = 0; z < per_zone.size(); ++z) {
      if (per_zone[z] == 0) continue;
      json group;
      group["zone"] = config.zones[z];
      group["count"] = per_zone[z];
      placement.push_back(std::move(group));
    }
    item["placement"] = std::move(placement);
    json calls = json::array();
    for (const sim::Operation& op : s.operations) {
      for (const sim::Step& step : op.steps) {
        for (const sim::CallStep& call : step.calls) {
          json edge;
          edge["operation"] = op.name;
          edge["service"] = config.services[call.service].name;
          edge["callee_operation"] = config.services[call.service].operations[call.operation].name;
          edge["probability"] = call.probability;
          edge["required"] = call.required;
          edge["policy"] = policy_json(call.policy);
          calls.push_back(std::move(edge));
        }
      }
    }
    item["calls"] = std::move(calls);
    services.push_back(std::move(item));
  }
  topology["services"] = std::move(services);
  return topology;
}

}  // namespace

std::string hex64(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Rounds to whole microseconds, shown in milliseconds. A time within 500 ns of the largest one
// (a "never" timeout) is truncated instead, so the rounding cannot overflow.
double round_ms(sim::TimeNs ns) {
  const bool near_max = ns > std::numeric_limits<sim::TimeNs>::max() - 500;
  return static_cast<double>((near_max ? ns : ns + 500) / 1000) / 1000.0;
}

namespace {

const char* stop_name(sim::StopReason stop) {
  return stop == sim::StopReason::finished          ? "finished"
         : stop == sim::StopReason::event_limit     ? "event_limit"
         : stop == sim::StopReason::in_flight_limit ? "in_flight_limit"
         : stop == sim::StopReason::no_progress     ? "no_progress"
                                                    : "stopped";
}

json scenario_json(const RunInput& input) {
  json scenario;
  scenario["name"] = input.scenario_name;
  scenario["sha256"] = sha256_hex(input.scenario_bytes);
  scenario["description"] = input.scenario_description;
  // The exact scenario text, so a report alone can be re-run (faultline run --from-report).
  scenario["source"] = input.scenario_bytes;
  return scenario;
}

json assertions_json(std::span<const AssertionResult> results) {
  json assertions = json::array();
  for (const AssertionResult& a : results) {
    json item;
    item["name"] = a.name;
    item["type"] = a.type;
    item["passed"] = a.passed;
    item["expected"] = a.expected;
    item["observed"] = a.observed;
    item["observed_value"] = a.observed_value;
    assertions.push_back(std::move(item));
  }
  return assertions;
}

// Each client's totals and latency, with its user impact during the faults.
json clients_json(const RunInput& input) {
  const sim::Engine& engine = *input.engine;
  const sim::Results& results = engine.results();
  const bool degraded = engine.has_fallbacks();
  const std::vector<analysis::FaultWindow> windows = analysis::fault_windows(
      analysis::timings_of(input.faults), results.timeline, results.end_ns, results.timeline_dropped == 0);
  const sim::TimeNs bucket_ns = engine.config().bucket_ns > 0 ? engine.config().bucket_ns : sim::kSecond;
  json clients = json::array();
  for (const auto& c : results.clients) {
    json item = entity_json(c, degraded);
    item["impact"] = impact_json(c, windows, input.faults, bucket_ns, results.end_ns);
    clients.push_back(std::move(item));
  }
  return clients;
}

// A service's totals and latency, with the counters of the policies it has.
json service_json(const sim::Engine& engine, std::size_t s, bool degraded) {
  const sim::EntityResults& result = engine.results().services[s];
  json item = entity_json(result, degraded);
  item["instances"] = engine.services()[s].instance_count;
  item["breaker_opens"] = result.breaker_opens;
  item["ejections"] = result.ejections;
  const sim::ServiceConfig& config = engine.config().services[s];
  if (config.drop_expired) item["expired"] = result.expired;
  if (config.honours_cancellation) item["cancelled"] = result.cancelled;
  if (config.rate_limit.enabled) item["rate_limited"] = result.rate_limited;
  if (config.queue_timeout_ns > 0 || config.adaptive.enabled) {
    item["shed"] = {{"queue_timeout", result.shed_queue_timeout}, {"concurrency_limit", result.shed_concurrency}};
  }
  if (config.adaptive.enabled) {
    item["concurrency_limit"] = {{"lowest", result.limit_lowest}, {"highest", result.limit_highest}};
  }
  return item;
}

json services_json(const sim::Engine& engine) {
  const bool degraded = engine.has_fallbacks();
  json services = json::array();
  for (std::size_t s = 0; s < engine.results().services.size(); ++s) services.push_back(service_json(engine, s, degraded));
  return services;
}

json timeseries_json(const sim::Engine& engine) {
  const sim::ModelConfig& config = engine.config();
  const sim::Results& results = engine.results();
  json series;
  series["bucket_ms"] = round_ms(config.bucket_ns);
  if (config.requested_bucket_ns > 0) {
    // Widened to fit the cap on buckets (--max-buckets); said where the series are read.
    series["requested_bucket_ms"] = round_ms(config.requested_bucket_ns);
    series["note"] = "buckets widened from the scenario's " + seconds_text(config.requested_bucket_ns) + " s to " +
                     seconds_text(config.bucket_ns) + " s to stay within the cap on time-series buckets (--max-buckets)";
  }
  json client_series = json::array(), service_series = json::array();
  for (const auto& c : results.clients) client_series.push_back(series_json(c, false));
  for (const auto& s : results.services) service_series.push_back(series_json(s, true));
  series["clients"] = std::move(client_series);
  series["services"] = std::move(service_series);
  return series;
}

}  // namespace

json build_run_report(const RunInput& input) {
  const sim::Engine& engine = *input.engine;
  const sim::Results& results = engine.results();
  json report;
  report["faultline_version"] = kVersion;
  report["report_format"] = kReportFormat;  // the layout readers check (reports/report_view.hpp)
  report["scenario"] = scenario_json(input);
  report["seed"] = input.seed;
  report["duration"] = seconds_text(engine.config().duration_ns);
  report["simulated_until"] = seconds_text(results.end_ns);
  report["stop"] = stop_name(results.stop);
  report["trace_hash"] = hex64(results.trace_hash);
  report["events"] = results.events;
  report["passed"] = analysis::run_passed(results.stop, input.assertions);
  report["assertions"] = assertions_json(input.assertions);
  report["clients"] = clients_json(input);
  report["services"] = services_json(engine);
  report["call_sites"] = call_sites_json(engine);
  json breakers = json::array(), discovery = json::array();
  json timeline = timeline_json(engine, input.faults, breakers, discovery);
  report["breakers"] = std::move(breakers);
  report["discovery"] = std::move(discovery);
  report["faults"] = faults_json(engine, input.faults);
  report["timeline"] = std::move(timeline);
  report["timeline_dropped"] = results.timeline_dropped;
  report["timeseries"] = timeseries_json(engine);
  report["topology"] = topology_json(engine.config());
  return report;
}

std::string render_json(const json& document) { return document.dump(2) + "\n"; }

}  // namespace faultline::reports
