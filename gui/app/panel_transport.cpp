// The transport strip: open, play/pause, step between events, speed, the simulated clock, and
// a scrubber over the whole run with fault windows, breaker openings and crashes marked.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {

void TransportPanel::draw(App& app) {
  Session& session = app.session;
  const float button = 28;
  if (widgets::icon_button("##open", widgets::Icon::open, button, "Open a scenario or report (Ctrl+O)")) app.open_dialog.request(false);
  ImGui::SameLine(0, 14);
  if (!session.loaded()) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("No scenario open. Open one (Ctrl+O), drop a .json file onto the window, or pass it on the command line.");
    return;
  }
  if (widgets::icon_button("##start", widgets::Icon::to_start, button, "Jump to the start (Home)")) app.seek(0);
  ImGui::SameLine(0, 4);
  if (widgets::icon_button("##back", widgets::Icon::step_back, button, "Previous event (Left arrow)")) session.step_back();
  ImGui::SameLine(0, 4);
  if (widgets::icon_button("##play", session.playing() ? widgets::Icon::pause : widgets::Icon::play, button,
                           session.playing() ? "Pause (Space)" : "Play (Space)", true)) {
    session.toggle_play();
  }
  app.anchor("play", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImGui::SameLine(0, 4);
  if (widgets::icon_button("##next", widgets::Icon::step_forward, button, "Next event (Right arrow)")) session.step_forward();
  ImGui::SameLine(0, 4);
  if (widgets::icon_button("##end", widgets::Icon::to_end, button, "Jump to the end (End)")) app.seek(session.duration_ns());

  // The clock.
  ImGui::SameLine(0, 16);
  ImGui::PushFont(app.fonts.title);
  const std::string now = format_time(session.cursor_ns());
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 5);
  ImGui::TextUnformatted(now.c_str());
  ImGui::PopFont();
  ImGui::SameLine(0, 4);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 5);
  ImGui::TextDisabled("/ %s", format_time(session.duration_ns(), 0).c_str());

  // Speed: a logarithmic slider from 0.01x to 10,000x, and "as fast as possible".
  ImGui::SameLine(0, 22);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 2);
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("speed");
  ImGui::SameLine();
  float exponent = static_cast<float>(std::log10(session.speed()));
  ImGui::SetNextItemWidth(150);
  ImGui::BeginDisabled(session.unlimited());
  const std::string speed_text = format_speed(session.speed());
  if (ImGui::SliderFloat("##speed", &exponent, -2.0f, 4.0f, speed_text.c_str())) {
    // Snap to 1, 2, 5 steps so that common speeds are easy to hit.
    const double raw = std::pow(10.0, exponent);
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    double snapped = decade;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
      if (std::abs(std::log(raw / (m * decade))) < std::abs(std::log(raw / snapped))) snapped = m * decade;
    }
    session.set_speed(snapped);
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Simulated seconds per real second ([ and ] halve and double it)");
  ImGui::SameLine();
  bool unlimited = session.unlimited();
  if (ImGui::Checkbox("max", &unlimited)) session.set_unlimited(unlimited);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("As fast as possible (the window stays responsive)");

  ImGui::SameLine(0, 16);
  const std::string failure = session.run_error();
  if (!failure.empty()) {
    // A simulator bug (a violated invariant) stopped the run; the tooltip has the whole message.
    widgets::text_coloured(theme::kBad, "run stopped: %s", failure.substr(0, failure.find('\n')).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", failure.c_str());
  } else if (session.catching_up()) {
    widgets::text_coloured(theme::kWarn, session.live_ns() > session.cursor_ns() ? "replaying..." : "seeking...");
  } else if (session.playing() && session.engine_limited()) {
    widgets::text_coloured(theme::kWarn, "engine-limited");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The engine cannot simulate this fast; playback runs as fast as it can.");
  } else if (session.at_end()) {
    ImGui::TextDisabled("end of run");
  }

  // Right: scenario, seed, and the final verdict once the whole run is recorded.
  const auto recording = session.recording();
  std::string name = session.scenario().name + "  seed " + std::to_string(session.seed());
  const char* verdict = nullptr;
  ImU32 verdict_colour = theme::kTextDim;
  if (recording && recording->error.empty() && !recording->assertions.empty()) {
    verdict = recording->passed ? "PASS" : "FAIL";
    verdict_colour = recording->passed ? theme::kGood : theme::kBad;
  }
  const float name_w = ImGui::CalcTextSize(name.c_str()).x + (verdict ? 56 : 0);
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 10, ImGui::GetWindowContentRegionMax().x - name_w));
  ImGui::TextDisabled("%s", name.c_str());
  if (verdict != nullptr) {
    ImGui::SameLine();
    if (widgets::badge(verdict, verdict_colour)) app.show_tab("assertions");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Final verdict of the scenario's assertions; click for details");
  }

  ImGui::Spacing();
  draw_scrubber(app, ImGui::GetContentRegionAvail().y);
}

void TransportPanel::draw_scrubber(App& app, float height) {
  Session& session = app.session;
  const Derived& derived = app.derived();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  height = std::max(height, 30.0f);
  const float label_h = ImGui::GetTextLineHeight();
  const float track_h = height - label_h - 2;
  widgets::TimeAxis axis{pos.x + 1, pos.x + width - 1, 0.0, sim::to_seconds(session.duration_ns())};
  const ImVec2 track_min = pos;
  const ImVec2 track_max(pos.x + width, pos.y + track_h);

  ImGui::InvisibleButton("##scrubber", ImVec2(width, height));
  app.anchor("scrubber", ImVec2(axis.x0, track_min.y), ImVec2(axis.x1, track_max.y));
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  if (active) {
    if (!scrubbing) {
      scrubbing = true;
      was_playing = session.playing();
      session.pause();
    }
    const float x = std::clamp(ImGui::GetIO().MousePos.x, axis.x0, axis.x1);
    app.seek(axis.ns_of(x));
  } else if (scrubbing) {
    scrubbing = false;
    if (was_playing) session.play();
  }

  draw->AddRectFilled(track_min, track_max, theme::kPanelRaised, 4);
  // Played part.
  const float cursor_x = axis.x_of_ns(session.cursor_ns());
  draw->AddRectFilled(track_min, ImVec2(cursor_x, track_max.y), theme::with_alpha(theme::kAccent, 0.10f), 4);
  // Not yet recorded: the future is unknown there.
  const double progress = session.recording_progress();
  if (progress < 1.0) {
    const float x = axis.x0 + static_cast<float>(progress) * (axis.x1 - axis.x0);
    for (float sx = x; sx < axis.x1; sx += 8) {
      draw->AddLine(ImVec2(sx, track_max.y - 4), ImVec2(std::min(sx + 4, axis.x1), track_max.y - 4), theme::kTextFaint);
    }
  }
  widgets::draw_time_grid(draw, axis, track_min.y, track_max.y, track_max.y + 1, 90);

  // Fault windows in rows along the top of the track (rows are shared when there are many);
  // breaker openings and crashes as ticks along its bottom.
  const auto& faults = session.topology().faults;
  const float tick_h = 8;
  const int rows = std::max(1, std::min(static_cast<int>(faults.size()), 3));
  const float row_h = std::clamp((track_h - tick_h - 6) / static_cast<float>(rows) - 2, 2.0f, 8.0f);
  for (std::uint32_t f = 0; f < faults.size(); ++f) {
    const float y = track_min.y + 3 + static_cast<float>(f % static_cast<std::uint32_t>(rows)) * (row_h + 2);
    const Lane& lane = derived.lanes.faults[f];
    if (lane.segments.empty() && !derived.complete) {
      const LaneSegment planned = planned_window(faults[f], session.duration_ns());
      draw->AddRect(ImVec2(axis.x_of_ns(planned.start_ns), y), ImVec2(std::max(axis.x_of_ns(planned.end_ns), axis.x_of_ns(planned.start_ns) + 2), y + row_h),
                    theme::with_alpha(theme::kFault, 0.6f), 2);
    }
    for (const LaneSegment& s : lane.segments) {
      const float x0 = axis.x_of_ns(s.start_ns);
      const float x1 = std::max(axis.x_of_ns(s.end_ns), x0 + 2);
      draw->AddRectFilled(ImVec2(x0, track_min.y), ImVec2(x1, track_max.y), theme::with_alpha(theme::kFault, 0.10f));
      draw->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + row_h), theme::with_alpha(theme::kFault, 0.9f), 2);
    }
  }
  const float y1 = track_max.y - 1;
  float last_x = -1;
  for (const Derived::Mark& m : derived.breaker_marks) {
    const float x = std::floor(axis.x_of_ns(m.at_ns)) + 0.5f;
    if (m.severity != Severity::bad || x == last_x) continue;
    last_x = x;
    draw->AddLine(ImVec2(x, y1 - tick_h), ImVec2(x, y1), theme::with_alpha(theme::kWarn, 0.9f), 1.0f);
  }
  last_x = -1;
  for (const TimeNs t : derived.crash_marks) {
    const float x = std::floor(axis.x_of_ns(t)) + 0.5f;
    if (x == last_x) continue;
    last_x = x;
    draw->AddTriangleFilled(ImVec2(x - 4, y1), ImVec2(x + 4, y1), ImVec2(x, y1 - tick_h), theme::kBad);
  }

  // The cursor with a handle.
  widgets::draw_cursor(draw, axis, session.cursor_ns(), track_min.y, track_max.y, !session.catching_up());
  draw->AddTriangleFilled(ImVec2(cursor_x - 5, track_min.y), ImVec2(cursor_x + 5, track_min.y), ImVec2(cursor_x, track_min.y + 6), theme::kCursor);
  if (session.catching_up()) {
    const float live_x = axis.x_of_ns(session.live_ns());
    draw->AddLine(ImVec2(live_x, track_min.y), ImVec2(live_x, track_max.y), theme::with_alpha(theme::kWarn, 0.7f), 1.0f);
  }

  if (hovered && !active) {
    const float mx = ImGui::GetIO().MousePos.x;
    draw->AddLine(ImVec2(mx, track_min.y), ImVec2(mx, track_max.y), theme::with_alpha(theme::kText, 0.35f));
    ImGui::BeginTooltip();
    ImGui::Text("%s", format_time(axis.ns_of(mx)).c_str());
    int shown = 0;
    const TimeNs from = axis.ns_of(mx - 3);
    const TimeNs to = axis.ns_of(mx + 3);
    for (std::size_t k = events_until(derived.log, from - 1); k < derived.log.size() && derived.log[k].at_ns <= to; ++k) {
      const LogEvent& e = derived.log[k];
      if (e.kind == LogKind::registry) continue;
      if (++shown > 6) {
        ImGui::TextDisabled("...");
        break;
      }
      widgets::text_coloured(theme::severity(e.severity), "%s  %s %s", format_time(e.at_ns).c_str(), e.entity_name.c_str(), e.text.c_str());
    }
    ImGui::TextDisabled("click or drag to seek");
    ImGui::EndTooltip();
  }
}

}  // namespace faultline::gui
