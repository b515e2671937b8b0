// Chrome trace-event JSON: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
// Timestamps are microseconds of simulated time.
//
// Requests are complete events ("ph": "X", with "dur"), which both Chrome's trace viewer and
// Perfetto draw as slices; async begin/end pairs are shown by fewer viewers. Complete events on
// one thread must nest, and the requests of one instance overlap (several workers, a queue), so
// each instance's requests are laid out on lanes, greedily, the earliest-starting request on
// the first lane that is free: one thread per (instance, lane), named "instance · lane".
#include "reports/trace.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

// Requests that started this long before the first fault show the system as it was.
constexpr sim::TimeNs kLeadBeforeFirstFault = 10 * sim::kSecond;

double micros(sim::TimeNs ns) { return static_cast<double>(ns / 1000) + static_cast<double>(ns % 1000) / 1000.0; }

json meta(const char* name, int pid, int tid, const json& args) {
  json e;
  e["ph"] = "M";
  e["name"] = name;
  e["pid"] = pid;
  e["tid"] = tid;
  e["args"] = args;
  return e;
}

bool in_window(sim::TimeNs at, const TraceWindow& window) { return at >= window.from_ns && at < window.to_ns; }

// Spans in start order, each with the lane (thread) it is drawn on.
struct PlacedSpan {
  const sim::SpanRecord* span;
  std::uint32_t lane;
};

std::vector<PlacedSpan> place_on_lanes(const std::vector<sim::SpanRecord>& spans, std::vector<std::uint32_t>& lanes_per_instance) {
  std::vector<PlacedSpan> placed;
  placed.reserve(spans.size());
  for (const sim::SpanRecord& span : spans) placed.push_back({&span, 0});
  std::stable_sort(placed.begin(), placed.end(), [](const PlacedSpan& a, const PlacedSpan& b) {
    if (a.span->begin_ns != b.span->begin_ns) return a.span->begin_ns < b.span->begin_ns;
    return a.span->end_ns > b.span->end_ns;
  });
  std::map<std::uint32_t, std::vector<sim::TimeNs>> lane_ends;  // per instance: when each lane frees
  for (PlacedSpan& p : placed) {
    std::vector<sim::TimeNs>& ends = lane_ends[p.span->instance];
    std::uint32_t lane = 0;
    while (lane < ends.size() && ends[lane] > p.span->begin_ns) ++lane;
    if (lane == ends.size()) ends.push_back(0);
    ends[lane] = p.span->end_ns;
    p.lane = lane;
  }
  for (const auto& [instance, ends] : lane_ends) {
    if (instance >= lanes_per_instance.size()) lanes_per_instance.resize(instance + 1, 0);
    lanes_per_instance[instance] = static_cast<std::uint32_t>(ends.size());
  }
  return placed;
}

// The events written so far, within the --trace-max-events budget: metadata is always written,
// other events only while they fit (a request costs two, as viewers count a complete event's
// begin and end); what does not fit is counted as dropped.
struct TraceEvents {
  json events = json::array();
  std::size_t max_events = 0;
  std::size_t written = 0;
  std::uint64_t dropped = 0;

  void metadata(json e) { events.push_back(std::move(e)); }
  // Whether it was written.
  bool add(json e, std::size_t cost = 1) {
    if (written + cost > max_events) {
      dropped += cost;
      return false;
    }
    written += cost;
    events.push_back(std::move(e));
    return true;
  }
};

// Process 0 holds global tracks (faults, breakers); process s+1 is service s.
void add_process_names(TraceEvents& out, const sim::Engine& engine) {
  out.metadata(meta("process_name", 0, 0, {{"name", "faultline (faults, breakers)"}}));
  const auto services = engine.services();
  for (std::uint32_t s = 0; s < services.size(); ++s) {
    out.metadata(meta("process_name", static_cast<int>(s + 1), 0, {{"name", "service " + engine.config().services[s].name}}));
    out.metadata(meta("process_sort_index", static_cast<int>(s + 1), 0, {{"sort_index", s + 1}}));
  }
}

json fault_instant(const sim::TimelineEntry& entry, std::span<const faults::FaultSpec> faults) {
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
  return e;
}

json breaker_counter(const sim::Engine& engine, const sim::TimelineEntry& entry) {
  json e;
  e["ph"] = "C";
  e["name"] = "breaker " + engine.breaker_name(entry.subject);
  e["ts"] = micros(entry.at);
  e["pid"] = 0;
  e["tid"] = 0;
  // 0 closed, 1 half-open, 2 open: a counter track shows the state as a step line.
  e["args"] = {{"state", entry.extra}};
  return e;
}

json instance_instant(const sim::Engine& engine, const sim::TimelineEntry& entry) {
  json e;
  e["ph"] = "i";
  e["s"] = "p";
  e["name"] = engine.instance_name(entry.subject) + " " + sim::instance_status_name(static_cast<sim::InstanceStatus>(entry.detail));
  e["cat"] = "instance";
  e["ts"] = micros(entry.at);
  e["pid"] = static_cast<int>(engine.instances()[entry.subject].service + 1);
  e["tid"] = 0;
  return e;
}

// Fault instants always (they are few and give the trace its context); breaker counters and
// instance changes within the window.
void add_timeline(TraceEvents& out, const sim::Engine& engine, std::span<const faults::FaultSpec> faults,
                  const TraceWindow& window) {
  for (const sim::TimelineEntry& entry : engine.results().timeline) {
    if (entry.kind == sim::TimelineKind::fault_start || entry.kind == sim::TimelineKind::fault_end) {
      if (entry.subject < faults.size()) out.add(fault_instant(entry, faults));
    } else if (!in_window(entry.at, window)) {
      continue;
    } else if (entry.kind == sim::TimelineKind::breaker) {
      out.add(breaker_counter(engine, entry));
    } else if (entry.kind == sim::TimelineKind::instance_state) {
      out.add(instance_instant(engine, entry));
    }
  }
}

// Queue depth and in-flight per service, one counter sample per time-series bucket.
void add_queue_counters(TraceEvents& out, const sim::Engine& engine, const TraceWindow& window) {
  const sim::Results& results = engine.results();
  const sim::TimeNs bucket = engine.config().bucket_ns;
  for (std::uint32_t s = 0; s < results.services.size(); ++s) {
    const auto& series = results.services[s].series;
    for (std::size_t b = 0; b < series.size(); ++b) {
      const sim::TimeNs at = static_cast<sim::TimeNs>(b + 1) * bucket;
      if (!in_window(at, window)) continue;
      json e;
      e["ph"] = "C";
      e["name"] = "queue depth";
      e["ts"] = micros(at);
      e["pid"] = static_cast<int>(s + 1);
      e["tid"] = 0;
      e["args"] = {{"queued", series[b].queue_depth}, {"in_flight", series[b].in_flight}};
      out.add(std::move(e));
    }
  }
}

// A thread per (instance, lane), named and ordered. Thread ids are 1 + instance * stride + lane,
// the same for every run of the scenario.
void add_lane_names(TraceEvents& out, const sim::Engine& engine, const std::vector<std::uint32_t>& lanes, std::uint64_t stride) {
  for (std::uint32_t instance = 0; instance < lanes.size(); ++instance) {
    const int pid = static_cast<int>(engine.instances()[instance].service + 1);
    for (std::uint32_t lane = 0; lane < lanes[instance]; ++lane) {
      const auto tid = static_cast<std::int64_t>(1 + instance * stride + lane);
      const std::string name = engine.instance_name(instance) + (lanes[instance] > 1 ? " · " + std::to_string(lane + 1) : "");
      json names = meta("thread_name", pid, 0, {{"name", name}});
      names["tid"] = tid;
      out.metadata(std::move(names));
      json order = meta("thread_sort_index", pid, 0, {{"sort_index", tid}});
      order["tid"] = tid;
      out.metadata(std::move(order));
    }
  }
}

json request_slice(const sim::Engine& engine, const PlacedSpan& p, std::uint64_t stride) {
  const sim::SpanRecord& span = *p.span;
  const std::uint32_t service = engine.operation_service(span.operation);
  json e;
  e["ph"] = "X";
  e["cat"] = engine.config().services[service].name;
  e["name"] = engine.operation_name(span.operation);
  e["ts"] = micros(span.begin_ns);
  e["dur"] = micros(span.end_ns - span.begin_ns);
  e["pid"] = static_cast<int>(service + 1);
  e["tid"] = static_cast<std::int64_t>(1 + span.instance * stride + p.lane);
  e["args"] = {{"outcome", sim::outcome_name(static_cast<sim::Outcome>(span.outcome))},
               {"instance", engine.instance_name(span.instance)}};
  return e;
}

// Requests: one complete event per served request, on its instance's lane; the trace's
// covered span is that of the requests written.
void add_requests(TraceEvents& out, const sim::Engine& engine, Trace& trace) {
  std::vector<std::uint32_t> lanes;
  const std::vector<PlacedSpan> placed = place_on_lanes(engine.results().spans, lanes);
  std::uint64_t stride = 1;
  for (const std::uint32_t n : lanes) stride = std::max<std::uint64_t>(stride, n);
  add_lane_names(out, engine, lanes, stride);
  bool any = false;
  for (const PlacedSpan& p : placed) {
    if (!out.add(request_slice(engine, p, stride), 2)) continue;
    trace.covered_from_ns = any ? std::min(trace.covered_from_ns, p.span->begin_ns) : p.span->begin_ns;
    trace.covered_to_ns = any ? std::max(trace.covered_to_ns, p.span->end_ns) : p.span->end_ns;
    any = true;
  }
}

}  // namespace

TraceWindow default_trace_window(std::span<const faults::FaultSpec> faults) {
  TraceWindow window;
  if (faults.empty()) return window;
  sim::TimeNs first = faults.front().at_ns;
  for (const faults::FaultSpec& f : faults) first = std::min(first, f.at_ns);
  window.from_ns = first > kLeadBeforeFirstFault ? first - kLeadBeforeFirstFault : 0;
  return window;
}

Trace render_trace(const sim::Engine& engine, std::span<const faults::FaultSpec> faults, std::size_t max_events,
                   TraceWindow window) {
  Trace trace;
  TraceEvents out;
  out.max_events = max_events;
  add_process_names(out, engine);
  add_timeline(out, engine, faults, window);
  add_queue_counters(out, engine, window);
  add_requests(out, engine, trace);
  trace.dropped_events = out.dropped + 2 * engine.results().spans_dropped;
  json document;
  document["traceEvents"] = std::move(out.events);
  document["displayTimeUnit"] = "ms";
  document["otherData"] = {{"generator", std::string("faultline ") + FAULTLINE_VERSION},
                           {"window_from_us", micros(window.from_ns)},
                           {"window_to_us", window.to_ns == std::numeric_limits<sim::TimeNs>::max()
                                                ? json(nullptr) : json(micros(window.to_ns))},
                           {"events_dropped", trace.dropped_events}};
  trace.text = document.dump() + "\n";
  return trace;
}

}  // namespace faultline::reports
