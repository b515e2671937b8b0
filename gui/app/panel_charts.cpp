// Charts over simulated time, drawn with ImGui's draw lists: throughput, error ratio, timeouts,
// latency, queue depth and in-flight for the chosen clients and services, fault windows shaded,
// breaker transitions marked, a cursor at the current instant, and run B overlaid dashed.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"
#include "faults/kind.hpp"

namespace faultline::gui {
namespace {

constexpr Metric kCharts[6] = {Metric::throughput, Metric::error_ratio, Metric::timeouts, Metric::p99, Metric::queue_depth, Metric::in_flight};
constexpr const char* kChartNames[6] = {"throughput", "errors", "timeouts", "latency", "queue", "in flight"};

struct Line {
  const std::vector<sim::BucketSample>* series = nullptr;
  Metric metric = Metric::throughput;
  ImU32 colour = 0;
  std::size_t solid_count = 0;  // buckets drawn solid (the past); the rest faint (the future)
  bool dashed = false;
  float thickness = 1.6f;
  std::string label;
};

struct Plot {
  widgets::TimeAxis axis;
  float top = 0;
  float bottom = 0;
  double y_max = 1;
  float y_of(float v) const { return bottom - static_cast<float>(v / y_max) * (bottom - top); }
};

void draw_samples(ImDrawList* draw, const std::vector<ChartSample>& samples, const Plot& p, ImU32 colour, float thickness, bool dashed) {
  ImVec2 previous;
  bool have_previous = false;
  int segment = 0;
  for (const ChartSample& s : samples) {
    if (std::isnan(s.hi)) {
      have_previous = false;
      continue;
    }
    const float x = p.axis.x_of(s.t_s);
    const ImVec2 point(x, p.y_of((s.lo + s.hi) / 2));
    if (s.hi != s.lo) draw->AddLine(ImVec2(x, p.y_of(s.lo)), ImVec2(x, p.y_of(s.hi)), theme::with_alpha(colour, 0.3f), 1.0f);
    if (have_previous && (!dashed || (segment++ % 2) == 0)) draw->AddLine(previous, point, colour, thickness);
    previous = point;
    have_previous = true;
  }
}

std::string value_text(float v, Metric metric) {
  if (std::isnan(v)) return "-";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, v >= 100 ? "%.0f %s" : "%.3g %s", v, metric_unit(metric));
  return buffer;
}

}  // namespace

void ChartsPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No run to chart", "Open a scenario to see throughput, errors, latency and queues over simulated time.");
    return;
  }
  const Topology& t = session.topology();
  if (generation != session.generation()) {
    generation = session.generation();
    selected.clear();
    for (std::uint32_t c = 0; c < t.clients.size() && c < 3; ++c) selected.push_back("c:" + t.clients[c].name);
  }
  const auto recording = session.recording();
  const bool recorded = recording && recording->error.empty();
  const auto comparison = session.comparison();
  const bool overlay = comparison && comparison->error.empty() && overlay_comparison;
  const double dt = sim::to_seconds(session.bucket_ns());
  const double duration_s = sim::to_seconds(session.duration_ns());
  const double cursor_s = sim::to_seconds(session.cursor_ns());
  const std::size_t past_buckets = static_cast<std::size_t>(session.cursor_ns() / session.bucket_ns());
  const std::size_t live_closed = static_cast<std::size_t>(session.live_ns() / session.bucket_ns());

  // Toolbar: the time window, which charts, the future, run B.
  ImGui::SetNextItemWidth(120);
  const char* windows[] = {"whole run", "last minute", "10 minutes"};
  ImGui::Combo("##window", &window, windows, 3);
  for (int c = 0; c < 6; ++c) {
    ImGui::SameLine(0, c == 0 ? 12 : 4);
    ImGui::Checkbox(kChartNames[c], &shown[c]);
  }
  ImGui::SameLine(0, 12);
  ImGui::Checkbox("future", &show_future);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Draw what is still to come, faintly (from the recording of the whole run)");
  if (comparison) {
    ImGui::SameLine();
    ImGui::Checkbox("B", &overlay_comparison);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Overlay run B, dashed: %s", comparison->label.c_str());
  }
  double view0 = 0;
  double view1 = std::max(duration_s, 1e-9);
  if (window == 1) {
    view1 = std::max(cursor_s, std::min(60.0, duration_s));
    view0 = std::max(0.0, view1 - 60.0);
  } else if (window == 2) {
    view0 = std::max(0.0, cursor_s - 300.0);
    view1 = std::min(duration_s, view0 + 600.0);
  }

  // Entities, each with its colour.
  ImGui::BeginChild("##entities", ImVec2(140, 0), true);
  auto entity_row = [&](const std::string& key, const std::string& name) {
    const auto found = std::find(selected.begin(), selected.end(), key);
    bool on = found != selected.end();
    const ImU32 colour = on ? theme::series(static_cast<std::uint32_t>(found - selected.begin())) : theme::kTextFaint;
    ImGui::PushStyleColor(ImGuiCol_CheckMark, theme::to_vec4(colour));
    if (ImGui::Checkbox((name + "##" + key).c_str(), &on)) {
      if (on) selected.push_back(key);
      else selected.erase(std::find(selected.begin(), selected.end(), key));
    }
    ImGui::PopStyleColor();
  };
  ImGui::TextDisabled("clients");
  for (const TopoClient& c : t.clients) entity_row("c:" + c.name, c.name);
  ImGui::TextDisabled("services");
  for (const TopoService& s : t.services) entity_row("s:" + s.name, s.name);
  ImGui::EndChild();
  ImGui::SameLine();

  ImGui::BeginChild("##plots", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  std::vector<int> charts;
  for (int c = 0; c < 6; ++c) {
    if (shown[c]) charts.push_back(c);
  }
  if (selected.empty() || charts.empty()) {
    widgets::empty_state("Nothing to chart", selected.empty() ? "Tick a client or a service on the left." : "Tick a chart above.");
    ImGui::EndChild();
    return;
  }
  auto series_of = [&](const std::string& key, const Recording* from) -> const std::vector<sim::BucketSample>* {
    const bool client = key[0] == 'c';
    const std::string name = key.substr(2);
    if (from != nullptr) {
      for (const EntitySeries& e : client ? from->clients : from->services) {
        if (e.name == name) return &e.series;
      }
      return nullptr;
    }
    for (const sim::EntityResults& e : client ? session.live_results().clients : session.live_results().services) {
      if (e.name == name) return &e.series;
    }
    return nullptr;
  };

  const int count = static_cast<int>(charts.size());
  const int columns = count <= 2 ? count : count <= 4 ? 2 : 3;
  const int rows = (count + columns - 1) / columns;
  const ImVec2 area = ImGui::GetContentRegionAvail();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float cell_w = std::floor(area.x / static_cast<float>(columns));
  const float cell_h = std::floor(area.y / static_cast<float>(rows));
  const float label_h = app.fonts.small->FontSize + 2;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const Derived& derived = app.derived();
  const double previous_hover = hover_t;
  hover_t = -1;

  for (int k = 0; k < count; ++k) {
    const Metric metric = kCharts[charts[static_cast<std::size_t>(k)]];
    const ImVec2 min(origin.x + static_cast<float>(k % columns) * cell_w, origin.y + static_cast<float>(k / columns) * cell_h);
    const ImVec2 max(min.x + cell_w - 6, min.y + cell_h - 6);
    Plot p;
    p.axis = {min.x + 4, max.x - 4, view0, view1};
    p.top = min.y + ImGui::GetTextLineHeight() + 6;
    p.bottom = max.y - label_h - 2;
    draw->AddRectFilled(min, max, theme::kBackground, 4);
    if (p.bottom - p.top < 12) continue;
    const bool hovered_here = ImGui::IsWindowHovered() && mouse.x >= p.axis.x0 && mouse.x <= p.axis.x1 && mouse.y >= min.y && mouse.y <= max.y;
    if (hovered_here) hover_t = p.axis.t_of(mouse.x);

    std::vector<Line> lines;
    for (std::size_t e = 0; e < selected.size(); ++e) {
      const std::string& key = selected[e];
      if (metric_services_only(metric) && key[0] == 'c') continue;
      const ImU32 colour = theme::series(static_cast<std::uint32_t>(e));
      if (const auto* series = series_of(key, recorded ? recording.get() : nullptr)) {
        const std::size_t solid = std::min(recorded ? past_buckets : live_closed, series->size());
        lines.push_back({series, metric, colour, solid, false, 1.8f, key.substr(2)});
        if (metric == Metric::p99) lines.push_back({series, Metric::p50, theme::with_alpha(colour, 0.6f), solid, false, 1.0f, key.substr(2) + " p50"});
      }
      if (overlay) {
        if (const auto* series = series_of(key, comparison.get())) {
          lines.push_back({series, metric, theme::with_alpha(colour, 0.85f), series->size(), true, 1.4f, key.substr(2) + " (B)"});
        }
      }
    }
    const std::string title = metric == Metric::p99 ? "Latency p99, p50 (ms)"
                                                     : std::string(metric_title(metric)) + (metric_unit(metric)[0] ? std::string(" (") + metric_unit(metric) + ")" : "");
    if (lines.empty()) {
      draw->AddText(ImVec2(min.x + 8, min.y + 3), theme::kText, title.c_str());
      draw->AddText(ImVec2(min.x + 8, (p.top + p.bottom) / 2 - 8), theme::kTextFaint, "services only: tick a service");
      continue;
    }
    // Values, decimated to the plot's pixel columns.
    const int px = std::max(16, static_cast<int>(p.axis.x1 - p.axis.x0));
    std::vector<std::vector<ChartSample>> past(lines.size());
    std::vector<std::vector<ChartSample>> future(lines.size());
    float top = 0;
    for (std::size_t l = 0; l < lines.size(); ++l) {
      metric_values(*lines[l].series, lines[l].metric, dt, lines[l].series->size(), scratch_values);
      const std::span<const float> all(scratch_values);
      decimate(all.first(lines[l].solid_count), dt / 2, dt, view0, view1, px, past[l]);
      top = std::max(top, max_value(past[l]));
      if (show_future && recorded && !lines[l].dashed && lines[l].solid_count < all.size()) {
        const std::size_t from = lines[l].solid_count > 0 ? lines[l].solid_count - 1 : 0;
        decimate(all.subspan(from), dt / 2 + static_cast<double>(from) * dt, dt, view0, view1, px, future[l]);
        top = std::max(top, max_value(future[l]));
      }
    }
    p.y_max = nice_ceiling(top > 0 ? top * 1.08 : 1.0);
    if (metric == Metric::error_ratio && top <= 100) p.y_max = std::min(p.y_max, 100.0);

    draw->PushClipRect(ImVec2(p.axis.x0, p.top), ImVec2(p.axis.x1, p.bottom + 1), true);
    for (std::size_t f = 0; f < derived.lanes.faults.size(); ++f) {
      // A chaos monkey runs all along; its crashes show in the instance lanes, not as shading.
      if (!faults::kind_unit(t.faults[f].kind).traits.shows_window) continue;
      for (const LaneSegment& s : derived.lanes.faults[f].segments) {
        draw->AddRectFilled(ImVec2(p.axis.x_of_ns(s.start_ns), p.top), ImVec2(std::max(p.axis.x_of_ns(s.end_ns), p.axis.x_of_ns(s.start_ns) + 1), p.bottom),
                            theme::kFaultShade);
      }
      if (derived.lanes.faults[f].segments.empty() && !derived.complete) {
        const LaneSegment planned = planned_window(t.faults[f], session.duration_ns());
        draw->AddRect(ImVec2(p.axis.x_of_ns(planned.start_ns), p.top), ImVec2(p.axis.x_of_ns(planned.end_ns), p.bottom), theme::with_alpha(theme::kFault, 0.3f));
      }
    }
    widgets::draw_time_grid(draw, p.axis, p.top, p.bottom, -1, 80);
    const float mid = (p.top + p.bottom) / 2;
    draw->AddLine(ImVec2(p.axis.x0, mid), ImVec2(p.axis.x1, mid), theme::kGrid);
    float last_x = -1;
    for (const Derived::Mark& m : derived.breaker_marks) {
      const float x = std::floor(p.axis.x_of_ns(m.at_ns)) + 0.5f;
      if (x == last_x) continue;
      last_x = x;
      draw->AddLine(ImVec2(x, p.bottom - 5), ImVec2(x, p.bottom), theme::severity(m.severity));
    }
    for (std::size_t l = 0; l < lines.size(); ++l) {
      draw_samples(draw, future[l], p, theme::with_alpha(lines[l].colour, 0.22f), lines[l].thickness, false);
      draw_samples(draw, past[l], p, lines[l].colour, lines[l].thickness, lines[l].dashed);
    }
    widgets::draw_cursor(draw, p.axis, session.cursor_ns(), p.top, p.bottom, session.snapshot_exact());
    if (previous_hover >= 0) {
      const float x = p.axis.x_of(previous_hover);
      draw->AddLine(ImVec2(x, p.top), ImVec2(x, p.bottom), theme::with_alpha(theme::kText, 0.35f));
    }
    draw->PopClipRect();
    // Title at the top left, the axis top at the right, times below.
    draw->AddText(ImVec2(min.x + 6, min.y + 3), theme::kText, title.c_str());
    char top_label[32];
    std::snprintf(top_label, sizeof top_label, p.y_max >= 10 ? "%.0f" : "%.3g", p.y_max);
    const float top_w = app.fonts.small->CalcTextSizeA(app.fonts.small->FontSize, FLT_MAX, 0, top_label).x;
    draw->AddText(app.fonts.small, app.fonts.small->FontSize, ImVec2(p.axis.x1 - top_w - 2, min.y + 4), theme::kTextDim, top_label);
    ImGui::PushFont(app.fonts.small);
    widgets::draw_time_grid(draw, p.axis, p.bottom, p.bottom, p.bottom + 2, 80);
    ImGui::PopFont();

    if (hovered_here) {
      const std::size_t bucket = static_cast<std::size_t>(std::max(0.0, hover_t / dt));
      ImGui::BeginTooltip();
      ImGui::Text("%s", title.c_str());
      ImGui::TextDisabled("%s to %s", format_time(static_cast<TimeNs>(bucket) * session.bucket_ns(), 1).c_str(),
                          format_time(static_cast<TimeNs>(bucket + 1) * session.bucket_ns(), 1).c_str());
      for (const Line& line : lines) {
        if (bucket >= line.series->size()) continue;
        metric_values(std::span(*line.series).subspan(bucket, 1), line.metric, dt, 1, scratch_values);
        const bool to_come = bucket >= line.solid_count;
        widgets::text_coloured(to_come ? theme::with_alpha(line.colour, 0.55f) : line.colour, "%-16s %10s%s", line.label.c_str(),
                               value_text(scratch_values[0], line.metric).c_str(), to_come ? "  (to come)" : "");
      }
      ImGui::TextDisabled("click to go to this instant");
      ImGui::EndTooltip();
    }
  }
  ImGui::InvisibleButton("##plots_area", ImGui::GetContentRegionAvail());
  if (ImGui::IsItemClicked() && hover_t >= 0) app.seek(static_cast<TimeNs>(hover_t * 1e9));
  ImGui::EndChild();
}

}  // namespace faultline::gui
