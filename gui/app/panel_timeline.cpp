// The fault timeline: one lane per fault (its active window), per edge with breakers (the worst
// state of its breakers, expandable to each breaker) and per instance that was ever down. Click a
// bar to jump to its start; click a label to inspect the entity.
#include <algorithm>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

struct Row {
  const Lane* lane = nullptr;  // null: a group header
  const char* header = nullptr;
  bool child = false;
};

ImU32 segment_colour(const Lane& lane, const LaneSegment& s) {
  switch (lane.kind) {
    case LaneKind::fault: return theme::kFault;
    case LaneKind::edge:
    case LaneKind::breaker: return theme::breaker_state(static_cast<sim::BreakerState>(s.state));
    case LaneKind::instance: {
      const auto status = static_cast<sim::InstanceStatus>(s.state);
      if (status == sim::InstanceStatus::crashed || status == sim::InstanceStatus::stopped) return theme::visual_state(VisualState::crashed);
      if (status == sim::InstanceStatus::draining) return theme::visual_state(VisualState::draining);
      if (status == sim::InstanceStatus::hung) return theme::visual_state(VisualState::erroring);
      return theme::visual_state(VisualState::slow);
    }
  }
  return theme::kText;
}

std::string segment_text(const Lane& lane, const LaneSegment& s) {
  switch (lane.kind) {
    case LaneKind::fault: return "active";
    case LaneKind::edge: return std::string(sim::breaker_state_name(static_cast<sim::BreakerState>(s.state))) + " " + std::to_string(s.count);
    case LaneKind::breaker: return sim::breaker_state_name(static_cast<sim::BreakerState>(s.state));
    case LaneKind::instance: return sim::instance_status_name(static_cast<sim::InstanceStatus>(s.state));
  }
  return "";
}

}  // namespace

void TimelinePanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No run loaded", "Open a scenario to see its faults, breaker states and outages on a timeline.");
    return;
  }
  const Derived& derived = app.derived();
  const Lanes& lanes = derived.lanes;
  ImGui::Checkbox("breakers", &show_breakers);
  ImGui::SameLine();
  ImGui::BeginDisabled(!show_breakers);
  ImGui::Checkbox("each breaker", &expand_breakers);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("instances", &show_instances);
  ImGui::SameLine();
  ImGui::SameLine();
  if (derived.complete) widgets::help_marker("Click a bar to go to its start, a name to inspect it. What has not happened yet is veiled.");
  else ImGui::TextDisabled("recording the whole run...");

  std::vector<Row> rows;
  rows.push_back({nullptr, "Faults"});
  for (const Lane& lane : lanes.faults) rows.push_back({&lane});
  if (show_breakers && !lanes.edges.empty()) {
    rows.push_back({nullptr, "Breakers"});
    for (const Lane& lane : lanes.edges) {
      rows.push_back({&lane});
      if (!expand_breakers) continue;
      for (const Lane& b : lanes.breakers) {
        if (session.topology().breakers[b.entity.index].edge == lane.entity.index) rows.push_back({&b, nullptr, true});
      }
    }
  }
  if (show_instances && !lanes.instances.empty()) {
    rows.push_back({nullptr, "Instances"});
    for (const Lane& lane : lanes.instances) rows.push_back({&lane});
  }
  if (lanes.faults.empty() && lanes.edges.empty() && lanes.instances.empty()) {
    widgets::empty_state("Nothing happens in this run", "The scenario has no faults and no breakers, and no instance went down.");
    return;
  }

  const float label_w = std::min(190.0f, ImGui::GetContentRegionAvail().x * 0.3f);
  const float row_h = ImGui::GetTextLineHeight() + 6;
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  widgets::TimeAxis axis{top.x + label_w + 4, top.x + width - 14, 0.0, sim::to_seconds(session.duration_ns())};
  ImDrawList* draw = ImGui::GetWindowDrawList();
  // Time labels above the lanes.
  widgets::draw_time_grid(draw, axis, top.y + ImGui::GetTextLineHeight(), top.y + ImGui::GetTextLineHeight(), top.y, 90);
  ImGui::Dummy(ImVec2(width, ImGui::GetTextLineHeight() + 2));

  ImGui::BeginChild("##lanes", ImVec2(0, 0), false);
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0));
  draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const TimeNs cursor = session.cursor_ns();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()), row_h);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const Row& row = rows[static_cast<std::size_t>(r)];
      const ImVec2 pos = ImGui::GetCursorScreenPos();
      ImGui::PushID(r);
      if (row.lane == nullptr) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + 3));
        ImGui::TextDisabled("%s", row.header);
        ImGui::SetCursorScreenPos(pos);
        ImGui::Dummy(ImVec2(1, row_h));
        draw->AddLine(ImVec2(axis.x0, pos.y + row_h - 1), ImVec2(axis.x1, pos.y + row_h - 1), theme::kGrid);
        ImGui::PopID();
        continue;
      }
      const Lane& lane = *row.lane;
      const bool selected = app.selection == lane.entity;
      ImGui::SetCursorScreenPos(ImVec2(pos.x + (row.child ? 14 : 4), pos.y));
      if (ImGui::Selectable(lane.label.c_str(), selected, 0, ImVec2(label_w - (row.child ? 14 : 4), row_h - 2))) app.select(lane.entity);
      if (ImGui::IsItemHovered()) app.hovered_next = lane.entity;
      // The lane.
      const float y0 = pos.y + 3;
      const float y1 = pos.y + row_h - 3;
      draw->AddRectFilled(ImVec2(axis.x0, y0), ImVec2(axis.x1, y1), theme::kPanelRaised, 2);
      if (lane.kind == LaneKind::fault && lane.segments.empty() && !derived.complete) {
        const LaneSegment planned = planned_window(session.topology().faults[lane.entity.index], session.duration_ns());
        draw->AddRect(ImVec2(axis.x_of_ns(planned.start_ns), y0), ImVec2(std::max(axis.x_of_ns(planned.end_ns), axis.x_of_ns(planned.start_ns) + 2), y1),
                      theme::with_alpha(theme::kFault, 0.7f), 2);
      }
      const LaneSegment* hovered_segment = nullptr;
      for (const LaneSegment& s : lane.segments) {
        const float x0 = axis.x_of_ns(s.start_ns);
        const float x1 = std::max(axis.x_of_ns(s.end_ns), x0 + 2);
        const ImU32 colour = segment_colour(lane, s);
        if (app.record_anchors && lane.kind == LaneKind::fault) app.anchor("fault-bar:" + lane.label, ImVec2(x0, y0), ImVec2(x1, y1));
        draw->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), theme::with_alpha(colour, 0.8f), 2);
        const std::string text = segment_text(lane, s);
        const float text_w = ImGui::CalcTextSize(text.c_str()).x;
        if (x1 - x0 > text_w + 8) draw->AddText(ImVec2(x0 + 4, y0 - 1), IM_COL32(0x0B, 0x10, 0x16, 0xFF), text.c_str());
        if (mouse.y >= y0 && mouse.y < y1 && mouse.x >= x0 - 2 && mouse.x < x1 + 2 && ImGui::IsWindowHovered()) hovered_segment = &s;
      }
      // What has not happened yet is veiled.
      const float cx = axis.x_of_ns(cursor);
      if (cx < axis.x1) draw->AddRectFilled(ImVec2(std::max(cx, axis.x0), y0), ImVec2(axis.x1, y1), theme::kFuture);
      if (hovered_segment != nullptr) {
        const LaneSegment& s = *hovered_segment;
        ImGui::BeginTooltip();
        ImGui::Text("%s: %s", lane.label.c_str(), segment_text(lane, s).c_str());
        ImGui::Text("%s to %s (%s)", format_time(s.start_ns).c_str(), format_time(s.end_ns).c_str(), format_span(s.end_ns - s.start_ns).c_str());
        if (lane.kind == LaneKind::fault) ImGui::TextDisabled("%s", session.topology().faults[lane.entity.index].target.c_str());
        ImGui::TextDisabled("click to jump to its start");
        ImGui::EndTooltip();
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
          app.seek(s.start_ns + 1);
          app.select(lane.entity);
        }
      }
      ImGui::SetCursorScreenPos(pos);
      ImGui::Dummy(ImVec2(1, row_h));
      ImGui::PopID();
    }
  }
  clipper.End();
  ImGui::PopStyleVar();
  // The cursor across all lanes.
  const ImVec2 win_min = ImGui::GetWindowPos();
  const float cx = axis.x_of_ns(cursor);
  draw->AddLine(ImVec2(cx, win_min.y), ImVec2(cx, win_min.y + ImGui::GetWindowHeight()), theme::kCursor, 1.5f);
  ImGui::EndChild();
}

}  // namespace faultline::gui
