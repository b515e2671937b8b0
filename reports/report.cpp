// Building report.json from a finished engine.
#include "reports/report.hpp"

#include <cmath>
#include <cstdio>

#include "reports/sha256.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

json counters_json(const sim::Counters& c) {
  json out;
  out["requests"] = c.requests;
  out["ok"] = c.ok;
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

double availability(const sim::Counters& c) {
  const std::uint64_t answered = c.ok + c.errors + c.timeouts + c.rejected + c.unavailable;
  return answered == 0 ? 1.0 : static_cast<double>(c.ok) / static_cast<double>(answered);
}

json entity_json(const sim::EntityResults& e) {
  json out;
  out["name"] = e.name;
  out["totals"] = counters_json(e.totals);
  out["availability"] = std::round(availability(e.totals) * 1e6) / 1e6;
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

std::string seconds_text(sim::TimeNs ns) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%09lld", static_cast<long long>(ns / sim::kSecond),
                static_cast<long long>(ns % sim::kSecond));
  return buffer;
}

json timeline_json(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, json& breakers_out,
                   json& discovery_out, json& faults_out) {
  json timeline = json::array();
  const sim::Results& results = engine.results();
  std::vector<json> breaker_transitions(engine.breakers().size(), json::array());
  std::vector<sim::TimeNs> fault_start(faults.size(), -1), fault_end(faults.size(), -1);
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
        if (entry.subject < faults.size()) {
          item["fault_kind"] = faults::fault_kind_name(faults[entry.subject].kind);
          (start ? fault_start : fault_end)[entry.subject] = entry.at;
        }
        break;
      }
      case sim::TimelineKind::breaker: {
        item["kind"] = "breaker";
        item["breaker"] = engine.breaker_name(entry.subject);
        item["from"] = sim::breaker_state_name(static_cast<sim::BreakerState>(entry.detail));
        item["to"] = sim::breaker_state_name(static_cast<sim::BreakerState>(entry.extra));
        json transition;
        transition["at"] = item["at"];
        transition["from"] = item["from"];
        transition["to"] = item["to"];
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
        item["caller"] = engine.site_name(entry.subject);
        item["instance"] = engine.instance_name(entry.detail);
        break;
    }
    timeline.push_back(std::move(item));
  }
  for (std::size_t b = 0; b < breaker_transitions.size(); ++b) {
    if (breaker_transitions[b].empty()) continue;  // breakers that never moved stay out
    json breaker;
    breaker["name"] = engine.breaker_name(static_cast<std::uint32_t>(b));
    breaker["opens"] = engine.breakers()[b].opens();
    breaker["transitions"] = std::move(breaker_transitions[b]);
    breakers_out.push_back(std::move(breaker));
  }
  for (std::size_t f = 0; f < faults.size(); ++f) {
    json fault;
    fault["name"] = faults[f].name;
    fault["kind"] = faults::fault_kind_name(faults[f].kind);
    fault["start"] = fault_start[f] < 0 ? json(nullptr) : json(seconds_text(fault_start[f]));
    fault["end"] = fault_end[f] < 0 ? json(nullptr) : json(seconds_text(fault_end[f]));
    faults_out.push_back(std::move(fault));
  }
  return timeline;
}

}  // namespace

std::string hex64(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

double round_ms(sim::TimeNs ns) { return static_cast<double>((ns + 500) / 1000) / 1000.0; }

json build_run_report(const RunInput& input) {
  const sim::Engine& engine = *input.engine;
  const sim::Results& results = engine.results();
  json report;
  report["faultline_version"] = kVersion;
  json scenario;
  scenario["name"] = input.scenario_name;
  scenario["sha256"] = sha256_hex(input.scenario_bytes);
  scenario["description"] = input.scenario_description;
  // The exact scenario text, so a report alone can be re-run (faultline run --from-report).
  scenario["source"] = input.scenario_bytes;
  report["scenario"] = std::move(scenario);
  report["seed"] = input.seed;
  report["duration"] = seconds_text(engine.config().duration_ns);
  report["simulated_until"] = seconds_text(results.end_ns);
  report["stop"] = results.stop == sim::StopReason::finished ? "finished" : "event_limit";
  report["trace_hash"] = hex64(results.trace_hash);
  report["events"] = results.events;
  bool passed = results.stop == sim::StopReason::finished;
  json assertions = json::array();
  for (const AssertionResult& a : input.assertions) {
    passed = passed && a.passed;
    json item;
    item["name"] = a.name;
    item["type"] = a.type;
    item["passed"] = a.passed;
    item["expected"] = a.expected;
    item["observed"] = a.observed;
    assertions.push_back(std::move(item));
  }
  report["passed"] = passed;
  report["assertions"] = std::move(assertions);
  json clients = json::array();
  for (const auto& c : results.clients) clients.push_back(entity_json(c));
  report["clients"] = std::move(clients);
  json services = json::array();
  for (std::size_t s = 0; s < results.services.size(); ++s) {
    json item = entity_json(results.services[s]);
    item["instances"] = engine.services()[s].instance_count;
    item["breaker_opens"] = results.services[s].breaker_opens;
    item["ejections"] = results.services[s].ejections;
    services.push_back(std::move(item));
  }
  report["services"] = std::move(services);
  json breakers = json::array(), discovery = json::array(), faults = json::array();
  json timeline = timeline_json(engine, input.faults, breakers, discovery, faults);
  report["breakers"] = std::move(breakers);
  report["discovery"] = std::move(discovery);
  report["faults"] = std::move(faults);
  report["timeline"] = std::move(timeline);
  report["timeline_dropped"] = results.timeline_dropped;
  json series;
  series["bucket_ms"] = round_ms(engine.config().bucket_ns);
  json client_series = json::array(), service_series = json::array();
  for (const auto& c : results.clients) client_series.push_back(series_json(c, false));
  for (const auto& s : results.services) service_series.push_back(series_json(s, true));
  series["clients"] = std::move(client_series);
  series["services"] = std::move(service_series);
  report["timeseries"] = std::move(series);
  return report;
}

std::string render_json(const json& document) { return document.dump(2) + "\n"; }

}  // namespace faultline::reports
