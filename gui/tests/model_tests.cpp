// The GUI's model layer without a window: chart decimation, checkpoints, the timeline (log and
// lanes), the topology layout, what-if toggles and validation diagnostics.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gui/model/chart_data.hpp"
#include "gui/model/checkpoints.hpp"
#include "gui/model/document.hpp"
#include "gui/model/format.hpp"
#include "gui/model/recording.hpp"
#include "gui/model/timeline.hpp"
#include "gui/model/topology_layout.hpp"
#include "gui/model/whatif.hpp"
#include "reports/compare.hpp"

using namespace faultline;
using namespace faultline::gui;

namespace {

std::shared_ptr<const harness::Scenario> load_example(const std::string& relative) {
  const OpenedFile file = read_input_file(std::string(FAULTLINE_SOURCE_DIR) + "/" + relative);
  Validation v = validate_scenario_text(file.path, file.scenario_text);
  REQUIRE(v.diagnostics.empty());
  return v.scenario;
}

const std::shared_ptr<const Recording>& demo_recording() {
  static const std::shared_ptr<const Recording> recording =
      record_run(load_example("gui/examples/failover-demo.json"), 7, "A");
  return recording;
}

}  // namespace

TEST_CASE("decimation keeps every value when there are fewer values than columns") {
  std::vector<float> values{1, 2, 3, 4, 5};
  std::vector<ChartSample> out;
  decimate(values, 0.5, 1.0, 0.0, 5.0, 100, out);
  REQUIRE(out.size() == 5);
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].t_s == Approx(0.5 + static_cast<double>(i)));
    CHECK(out[i].lo == values[i]);
    CHECK(out[i].hi == values[i]);
  }
}

TEST_CASE("decimation to pixel columns keeps a one-bucket spike") {
  std::vector<float> values(100'000, 1.0f);
  values[54'321] = 500.0f;
  values[77'777] = -3.0f;
  std::vector<ChartSample> out;
  decimate(values, 0.0, 1.0, 0.0, 100'000.0, 400, out);
  CHECK(out.size() <= 402);
  CHECK(out.size() >= 399);
  CHECK(max_value(out) == 500.0f);
  float lowest = 1e9f;
  for (const ChartSample& s : out) lowest = std::min(lowest, s.lo);
  CHECK(lowest == -3.0f);
}

TEST_CASE("decimation shows only the visible window and keeps gaps") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values(1000, 2.0f);
  for (int i = 500; i < 600; ++i) values[static_cast<std::size_t>(i)] = nan;
  std::vector<ChartSample> out;
  decimate(values, 0.0, 1.0, 400.0, 700.0, 30, out);
  REQUIRE(!out.empty());
  CHECK(out.front().t_s >= 380.0);
  CHECK(out.back().t_s <= 720.0);
  bool gap = false;
  for (const ChartSample& s : out) gap = gap || std::isnan(s.hi);
  CHECK(gap);
}

TEST_CASE("decimation of nothing draws nothing") {
  std::vector<ChartSample> out{{1, 1, 1}};
  decimate({}, 0.0, 1.0, 0.0, 10.0, 100, out);
  CHECK(out.empty());
}

TEST_CASE("ratios are undefined in buckets without requests") {
  std::vector<sim::BucketSample> series(3);
  series[0].counts.requests = 10;
  series[0].counts.ok = 9;
  series[0].counts.errors = 1;
  std::vector<float> values;
  metric_values(series, Metric::error_ratio, 1.0, 3, values);
  REQUIRE(values.size() == 3);
  CHECK(values[0] == Approx(10.0f));
  CHECK(std::isnan(values[1]));
  metric_values(series, Metric::throughput, 0.5, 2, values);
  CHECK(values.size() == 2);
  CHECK(values[0] == Approx(20.0f));
}

TEST_CASE("nice axis tops") {
  CHECK(nice_ceiling(0.7) == Approx(1.0));
  CHECK(nice_ceiling(1.3) == Approx(2.0));
  CHECK(nice_ceiling(2.2) == Approx(2.5));
  CHECK(nice_ceiling(420) == Approx(500));
  CHECK(nice_ceiling(0) == Approx(1.0));
}

TEST_CASE("checkpoints find the latest one at or before an instant") {
  CheckpointStore store(16);
  for (int i = 0; i < 10; ++i) {
    Snapshot s;
    s.at_ns = i * sim::kSecond;
    store.offer(s);
  }
  CHECK(store.at_or_before(-1) == nullptr);
  REQUIRE(store.at_or_before(0) != nullptr);
  CHECK(store.at_or_before(0)->at_ns == 0);
  CHECK(store.at_or_before(4'500'000'000)->at_ns == 4 * sim::kSecond);
  CHECK(store.at_or_before(100 * sim::kSecond)->at_ns == 9 * sim::kSecond);
}

TEST_CASE("checkpoints thin out evenly when full") {
  CheckpointStore store(8);
  for (int i = 0; i < 100; ++i) {
    Snapshot s;
    s.at_ns = i;
    store.offer(s);
  }
  CHECK(store.size() <= 8);
  CHECK(store.size() >= 4);
  const auto& all = store.all();
  CHECK(all.front().at_ns == 0);
  const TimeNs spacing = all[1].at_ns - all[0].at_ns;
  CHECK(spacing == static_cast<TimeNs>(store.stride()));
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].at_ns - all[i - 1].at_ns == spacing);
  CHECK(all.back().at_ns + spacing > 99 - spacing);
}

TEST_CASE("the event log lists faults, crashes, ejections, breaker changes and verdicts in time order") {
  const Recording& r = *demo_recording();
  REQUIRE(r.error.empty());
  const auto log = build_log(r.topology, r.timeline, r.assertions, r.end_ns);
  REQUIRE(log.size() == r.timeline.size() + r.assertions.size());
  for (std::size_t i = 1; i < log.size(); ++i) CHECK(log[i - 1].at_ns <= log[i].at_ns);
  std::vector<int> kinds(kLogKindCount, 0);
  for (const LogEvent& e : log) ++kinds[static_cast<std::size_t>(e.kind)];
  CHECK(kinds[static_cast<int>(LogKind::fault)] >= 5);
  CHECK(kinds[static_cast<int>(LogKind::crash)] >= 2);
  CHECK(kinds[static_cast<int>(LogKind::breaker)] >= 2);
  CHECK(kinds[static_cast<int>(LogKind::ejection)] >= 1);
  CHECK(kinds[static_cast<int>(LogKind::assertion)] == static_cast<int>(r.assertions.size()));
  const LogEvent& first = log.front();
  CHECK(first.kind == LogKind::fault);
  CHECK(first.entity_name == "checkout-crash");
  CHECK(first.at_ns == 40 * sim::kSecond);
}

TEST_CASE("the event log filters by kind and by entity") {
  const Recording& r = *demo_recording();
  const auto log = build_log(r.topology, r.timeline, {}, r.end_ns);
  LogFilter only_breakers;
  only_breakers.kind_mask = 1u << static_cast<unsigned>(LogKind::breaker);
  const auto breakers = filter_log(log, only_breakers);
  REQUIRE(!breakers.empty());
  for (std::uint32_t i : breakers) CHECK(log[i].kind == LogKind::breaker);
  LogFilter by_entity;
  by_entity.entity_text = "CHECKOUT#4";
  const auto about = filter_log(log, by_entity);
  REQUIRE(!about.empty());
  for (std::uint32_t i : about) {
    // The filter is case-insensitive and matches a part of the entity's name or of the text
    // (a breaker's entity is "caller -> callee", so checkout#4 may be either end).
    const bool mentions = log[i].entity_name.find("checkout#4") != std::string::npos || log[i].text.find("checkout#4") != std::string::npos;
    INFO(log[i].entity_name << " | " << log[i].text);
    CHECK(mentions);
  }
  CHECK(events_until(log, -1) == 0);
  CHECK(events_until(log, r.end_ns) == log.size());
}

TEST_CASE("stepping through the timeline finds the next and the previous entry") {
  const Recording& r = *demo_recording();
  CHECK(next_entry_after(r.timeline, 0) == 40 * sim::kSecond);
  CHECK(next_entry_after(r.timeline, r.end_ns) == -1);
  CHECK(previous_entry_before(r.timeline, 40 * sim::kSecond) == -1);
  CHECK(previous_entry_before(r.timeline, 40 * sim::kSecond + 1) == 40 * sim::kSecond);
}

TEST_CASE("lanes hold fault windows, breaker states and instance outages") {
  const Recording& r = *demo_recording();
  const Lanes lanes = build_lanes(r.topology, r.timeline, r.end_ns);
  REQUIRE(lanes.faults.size() == 3);
  REQUIRE(lanes.faults[1].segments.size() == 1);
  CHECK(lanes.faults[1].segments[0].start_ns == 150 * sim::kSecond);
  CHECK(lanes.faults[1].segments[0].end_ns == 190 * sim::kSecond);
  // A crash has no duration: its window lasts until its instances restart (restart_after 60s).
  REQUIRE(lanes.faults[0].segments.size() == 1);
  CHECK(lanes.faults[0].segments[0].end_ns == 100 * sim::kSecond);
  REQUIRE(lanes.edges.size() == 1);
  bool open = false;
  for (const LaneSegment& s : lanes.edges[0].segments) open = open || s.state == static_cast<std::uint8_t>(sim::BreakerState::open);
  CHECK(open);
  CHECK(!lanes.breakers.empty());
  bool crashed_checkout0 = false;
  for (const Lane& lane : lanes.instances) {
    if (lane.label != "checkout#0") continue;
    REQUIRE(!lane.segments.empty());
    CHECK(lane.segments[0].start_ns == 40 * sim::kSecond);
    CHECK(lane.segments[0].end_ns == 100 * sim::kSecond);
    crashed_checkout0 = true;
  }
  CHECK(crashed_checkout0);
  for (const auto* group : {&lanes.faults, &lanes.edges, &lanes.breakers, &lanes.instances}) {
    for (const Lane& lane : *group) {
      for (const LaneSegment& s : lane.segments) CHECK(s.start_ns <= s.end_ns);
    }
  }
}

TEST_CASE("the topology layout is stable and nothing overlaps") {
  const Recording& r = *demo_recording();
  const TopologyLayout a = layout_topology(r.topology);
  const TopologyLayout b = layout_topology(r.topology);
  REQUIRE(a.services.size() == 3);
  std::vector<Rect> boxes;
  for (std::size_t s = 0; s < a.services.size(); ++s) {
    CHECK(a.services[s].box.x == b.services[s].box.x);
    CHECK(a.services[s].box.y == b.services[s].box.y);
    boxes.push_back(a.services[s].box);
  }
  for (const Rect& c : a.clients) boxes.push_back(c);
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    for (std::size_t j = i + 1; j < boxes.size(); ++j) CHECK(!boxes[i].overlaps(boxes[j]));
  }
  // Callers sit left of their callees.
  CHECK(a.clients[0].x < a.services[0].box.x);
  CHECK(a.services[0].box.x < a.services[1].box.x);
  CHECK(a.services[1].box.x < a.services[2].box.x);
  // Every cell lies inside its service box and its zone row.
  for (std::size_t i = 0; i < r.topology.instances.size(); ++i) {
    const TopoInstance& instance = r.topology.instances[i];
    const ServiceLayout& service = a.services[instance.service];
    const Rect& cell = a.cells[i];
    const Rect& row = service.rows[instance.zone].rect;
    CHECK(cell.x >= row.x);
    CHECK(cell.y >= row.y);
    CHECK(cell.x + cell.w <= service.box.w);
    CHECK(cell.y + cell.h <= row.y + row.h);
  }
}

TEST_CASE("what-if toggles change policies, instance counts and faults") {
  const auto base = load_example("gui/examples/failover-demo.json");
  WhatIf w;
  w.breakers = Override::off;
  w.max_attempts = 1;
  w.timeout_scale = 0.5;
  w.instance_counts = {6, 4, 4};
  w.fault_enabled = {true, false, true};
  CHECK(w.changes_anything(*base));
  const harness::Scenario s = apply_what_if(*base, w);
  const sim::CallPolicy& frontend_to_checkout = s.model.services[0].operations[0].steps[0].calls[0].policy;
  const sim::CallPolicy& checkout_to_payments = s.model.services[1].operations[0].steps[0].calls[0].policy;
  CHECK(frontend_to_checkout.retry.max_attempts == 1);
  CHECK(frontend_to_checkout.timeout_ns == 100 * sim::kMillisecond);
  CHECK(!checkout_to_payments.breaker.enabled);
  std::uint32_t checkout_instances = 0;
  for (const auto& group : s.model.services[1].placement) checkout_instances += group.count;
  CHECK(checkout_instances == 4);
  CHECK(s.model.services[1].placement.size() == 3);
  REQUIRE(s.faults.size() == 2);
  CHECK(s.faults[1].name == "payments-errors");
  // The assertion about the removed fault goes with it; the others point at the new indices.
  for (const auto& a : s.assertions) {
    if (a.fault) CHECK(*a.fault < s.faults.size());
  }
  CHECK(describe_what_if(*base, w).find("without zone-c-down") != std::string::npos);
  WhatIf nothing;
  CHECK(!nothing.changes_anything(*base));
}

TEST_CASE("a what-if run compares with the original through the report comparison") {
  const auto& a = demo_recording();
  WhatIf w;
  w.breakers = Override::off;
  auto modified = std::make_shared<const harness::Scenario>(apply_what_if(*a->scenario, w));
  const auto b = record_run(modified, 7, "B");
  REQUIRE(b->error.empty());
  const reports::Comparison same = reports::compare_reports(a->report, a->report, {});
  for (const auto& m : same.metrics) CHECK(m.verdict == 0);
  const reports::Comparison changed = reports::compare_reports(a->report, b->report, {});
  bool some_difference = false;
  for (const auto& m : changed.metrics) some_difference = some_difference || m.verdict != 0;
  CHECK(some_difference);
  CHECK(a->trace_hash != b->trace_hash);
}

TEST_CASE("validation names line, column and pointer of every schema problem") {
  const std::string text = "{\n  \"version\": 1,\n  \"name\": \"x\",\n  \"duration\": \"10 parsecs\",\n  \"zones\": [\"a\"],\n"
                           "  \"services\": [{\"name\": \"s\", \"instances\": 1, \"workerz\": 2}],\n"
                           "  \"clients\": [{\"name\": \"c\", \"zone\": \"a\", \"service\": \"s\", \"open_loop\": {\"rate\": 1}}]\n}\n";
  const Validation v = validate_scenario_text("edit.json", text);
  CHECK(v.scenario == nullptr);
  REQUIRE(v.diagnostics.size() >= 2);
  bool duration = false;
  bool unknown_key = false;
  for (const Diagnostic& d : v.diagnostics) {
    if (d.pointer == "/duration") {
      duration = true;
      CHECK(d.line == 4);
    }
    if (d.pointer.rfind("/services/0", 0) == 0) {
      unknown_key = true;
      CHECK(d.line == 6);
    }
  }
  CHECK(duration);
  CHECK(unknown_key);
}

TEST_CASE("validation reports a syntax error at its place") {
  const Validation v = validate_scenario_text("edit.json", "{\n  \"version\": 1,\n  \"name\": \n}");
  REQUIRE(v.diagnostics.size() == 1);
  CHECK(v.diagnostics[0].line == 4);
}

TEST_CASE("a saved report opens as its embedded scenario and seed") {
  const Recording& r = *demo_recording();
  const std::string path = "gui_model_test_report.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string text = reports::render_json(r.report);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const OpenedFile opened = read_input_file(path);
  std::remove(path.c_str());
  CHECK(opened.is_report);
  REQUIRE(opened.seed.has_value());
  CHECK(*opened.seed == 7);
  CHECK(opened.scenario_text == r.scenario->bytes);
  CHECK(opened.report_trace_hash == reports::hex64(r.trace_hash));
}

TEST_CASE("times and rates read naturally") {
  CHECK(format_time(0) == "0.000s");
  CHECK(format_time(140'250'000'000) == "2m20.250s");
  CHECK(format_time(40'068'552'241, 6) == "40.068552s");
  CHECK(format_time(3'600'000'000'000, 0) == "1h00m00s");
  CHECK(format_rate(1234.0) == "1.23k/s");
  CHECK(format_rate(450.0) == "450/s");
  CHECK(format_percent(0.0042) == "0.42%");
  CHECK(format_count(1201158) == "1,201,158");
}

TEST_CASE("what-if specs from the command line name services and faults") {
  const auto base = load_example("gui/examples/failover-demo.json");
  const WhatIf w = parse_what_if(*base, "breakers=off,retries=1,instances.checkout=6,fault.zone-c-down=off,seed=9");
  CHECK(w.breakers == Override::off);
  CHECK(w.max_attempts == 1u);
  CHECK(w.instance_counts[1] == 6);
  CHECK(!w.fault_enabled[1]);
  CHECK(w.seed == 9u);
  CHECK_THROWS_WITH(parse_what_if(*base, "instances.nope=3"), Catch::Contains("no service called"));
  CHECK_THROWS_WITH(parse_what_if(*base, "breakers=maybe"), Catch::Contains("expected on or off"));
}
