// Chrome trace-event JSON: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
// Timestamps are microseconds of simulated time.
#include "reports/trace.hpp"

#include <nlohmann/json.hpp>

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

double micros(sim::TimeNs ns) { return static_cast<double>(ns / 1000) + static_cast<double>(ns % 1000) / 1000.0; }

json meta(const char* name, int pid, int tid, const std::string& value) {
  json e;
  e["ph"] = "M";
  e["name"] = name;
  e["pid"] = pid;
  e["tid"] = tid;
  e["args"] = {{"name", value}};
  return e;
}

}  // namespace

std::string render_trace(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, std::size_t max_events) {
  const sim::Results& results = engine.results();
  json events = json::array();
  std::size_t written = 0;
  std::size_t dropped = 0;
  auto add = [&](json e, std::size_t cost = 1) {
    if (written + cost > max_events) {
      dropped += cost;
      return;
    }
    written += cost;
    events.push_back(std::move(e));
  };
  // Process 0 holds global tracks (faults, breakers); process s+1 is service s.
  events.push_back(meta("process_name", 0, 0, "faultline (faults, breakers)"));
  const auto services = engine.services();
  for (std::uint32_t s = 0; s < services.size(); ++s) {
    events.push_back(meta("process_name", static_cast<int>(s + 1), 0, "service " + engine.config().services[s].name));
    for (std::uint32_t i = 0; i < services[s].instance_count; ++i) {
      const std::uint32_t instance = services[s].first_instance + i;
      events.push_back(meta("thread_name", static_cast<int>(s + 1), static_cast<int>(instance + 1),
                            engine.instance_name(instance)));
    }
  }
  // Fault instants and breaker counters from the timeline.
  for (const sim::TimelineEntry& entry : results.timeline) {
    if (entry.kind == sim::TimelineKind::fault_start || entry.kind == sim::TimelineKind::fault_end) {
      if (entry.subject >= faults.size()) continue;
      json e;
      e["ph"] = "i";
      e["s"] = "g";
      e["name"] = std::string(entry.kind == sim::TimelineKind::fault_start ? "fault start: " : "fault end: ") +
                  faults[entry.subject].name;
      e["cat"] = "fault";
      e["ts"] = micros(entry.at);
      e["pid"] = 0;
      e["tid"] = 0;
      e["args"] = {{"kind", faults::fault_kind_name(faults[entry.subject].kind)}};
      add(std::move(e));
    } else if (entry.kind == sim::TimelineKind::breaker) {
      json e;
      e["ph"] = "C";
      e["name"] = "breaker " + engine.breaker_name(entry.subject);
      e["ts"] = micros(entry.at);
      e["pid"] = 0;
      // 0 closed, 1 half-open, 2 open: a counter track shows the state as a step line.
      e["args"] = {{"state", entry.extra}};
      add(std::move(e));
    } else if (entry.kind == sim::TimelineKind::instance_state) {
      json e;
      e["ph"] = "i";
      e["s"] = "p";
      e["name"] = engine.instance_name(entry.subject) + " " +
                  sim::instance_status_name(static_cast<sim::InstanceStatus>(entry.detail));
      e["cat"] = "instance";
      e["ts"] = micros(entry.at);
      e["pid"] = static_cast<int>(engine.instances()[entry.subject].service + 1);
      e["tid"] = static_cast<int>(entry.subject + 1);
      add(std::move(e));
    }
  }
  // Queue depth and in-flight per service, one counter sample per time-series bucket.
  const sim::TimeNs bucket = engine.config().bucket_ns;
  for (std::uint32_t s = 0; s < results.services.size(); ++s) {
    const auto& series = results.services[s].series;
    for (std::size_t b = 0; b < series.size(); ++b) {
      json e;
      e["ph"] = "C";
      e["name"] = "queue depth";
      e["ts"] = micros(static_cast<sim::TimeNs>(b + 1) * bucket);
      e["pid"] = static_cast<int>(s + 1);
      e["args"] = {{"queued", series[b].queue_depth}, {"in_flight", series[b].in_flight}};
      add(std::move(e));
    }
  }
  // Requests: one async span per served request on its instance's track.
  std::uint64_t id = 0;
  for (const sim::SpanRecord& span : results.spans) {
    ++id;
    const int pid = static_cast<int>(engine.operation_service(span.operation) + 1);
    const std::string& name = engine.operation_name(span.operation);
    json begin;
    begin["ph"] = "b";
    begin["cat"] = engine.config().services[engine.operation_service(span.operation)].name;
    begin["name"] = name;
    begin["id"] = id;
    begin["ts"] = micros(span.begin_ns);
    begin["pid"] = pid;
    begin["tid"] = static_cast<int>(span.instance + 1);
    json end = begin;
    end["ph"] = "e";
    end["ts"] = micros(span.end_ns);
    end["args"] = {{"outcome", sim::outcome_name(static_cast<sim::Outcome>(span.outcome))},
                   {"instance", engine.instance_name(span.instance)}};
    if (written + 2 > max_events) {
      dropped += 2;
      continue;
    }
    add(std::move(begin));
    add(std::move(end));
  }
  json document;
  document["traceEvents"] = std::move(events);
  document["displayTimeUnit"] = "ms";
  document["otherData"] = {{"generator", std::string("faultline ") + FAULTLINE_VERSION},
                           {"events_dropped", dropped + 2 * results.spans_dropped}};
  return document.dump() + "\n";
}

}  // namespace faultline::reports
