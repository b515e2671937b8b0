// Shared drawing helpers.
#include "gui/app/widgets.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "gui/app/theme.hpp"

namespace faultline::gui::widgets {

double tick_step_s(const TimeAxis& axis, float min_px) {
  const double span = axis.t1_s - axis.t0_s;
  const float width = axis.x1 - axis.x0;
  if (span <= 0 || width <= 0) return 1.0;
  const double wanted = span * min_px / width;
  static constexpr double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
                                     60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400};
  for (double s : steps) {
    if (s >= wanted) return s;
  }
  return 86400;
}

std::string tick_label(double t_s, double step_s) {
  char buffer[32];
  if (std::abs(t_s) < 1e-9) return "0";
  if (step_s < 1.0) {
    std::snprintf(buffer, sizeof buffer, step_s < 0.01 ? "%.3fs" : step_s < 0.1 ? "%.2fs" : "%.1fs", t_s);
    return buffer;
  }
  const long long s = std::llround(t_s);
  if (s < 60) std::snprintf(buffer, sizeof buffer, "%llds", s);
  else if (s % 3600 == 0) std::snprintf(buffer, sizeof buffer, "%lldh", s / 3600);
  else if (s % 60 == 0) std::snprintf(buffer, sizeof buffer, "%lldm", s / 60);
  else std::snprintf(buffer, sizeof buffer, "%lldm%02lld", s / 60, s % 60);
  return buffer;
}

void draw_time_grid(ImDrawList* draw, const TimeAxis& axis, float y0, float y1, float label_y, float min_px) {
  const double step = tick_step_s(axis, min_px);
  const double first = std::ceil(axis.t0_s / step) * step;
  for (double t = first; t <= axis.t1_s + step * 1e-6; t += step) {
    const float x = std::floor(axis.x_of(t)) + 0.5f;
    draw->AddLine(ImVec2(x, y0), ImVec2(x, y1), theme::kGrid);
    if (label_y >= 0) {
      const std::string label = tick_label(t, step);
      const ImVec2 size = ImGui::CalcTextSize(label.c_str());
      float lx = x - size.x / 2;
      if (lx < axis.x0) lx = axis.x0;
      if (lx + size.x > axis.x1 + 2) lx = axis.x1 - size.x;
      draw->AddText(ImVec2(lx, label_y), theme::kTextDim, label.c_str());
    }
  }
}

void draw_cursor(ImDrawList* draw, const TimeAxis& axis, sim::TimeNs t, float y0, float y1, bool exact) {
  const float x = std::floor(axis.x_of_ns(t)) + 0.5f;
  if (x < axis.x0 - 1 || x > axis.x1 + 1) return;
  draw->AddLine(ImVec2(x, y0), ImVec2(x, y1), exact ? theme::kCursor : theme::with_alpha(theme::kCursor, 0.45f), 1.5f);
}

bool badge(const char* text, ImU32 colour, bool filled) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 size = ImGui::CalcTextSize(text);
  const ImVec2 pad(6, 1);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 box(size.x + pad.x * 2, size.y + pad.y * 2);
  ImGui::PushID(text);
  const bool clicked = ImGui::InvisibleButton("##badge", box);
  ImGui::PopID();
  const ImVec2 end(pos.x + box.x, pos.y + box.y);
  if (filled) {
    draw->AddRectFilled(pos, end, theme::with_alpha(colour, 0.22f), box.y / 2);
    draw->AddRect(pos, end, theme::with_alpha(colour, 0.85f), box.y / 2);
  } else {
    draw->AddRect(pos, end, colour, box.y / 2);
  }
  draw->AddText(ImVec2(pos.x + pad.x, pos.y + pad.y), colour, text);
  return clicked;
}

void legend_chip(ImU32 colour, const char* label, const char* tooltip) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(ImVec2(pos.x, pos.y + h * 0.2f), ImVec2(pos.x + h * 0.6f, pos.y + h * 0.8f), colour, 2);
  ImGui::Dummy(ImVec2(h * 0.6f, h));
  ImGui::SameLine(0, 4);
  ImGui::TextUnformatted(label);
  if (tooltip != nullptr && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
}

bool icon_button(const char* id, Icon icon, float size, const char* tooltip, bool active) {
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton(id, ImVec2(size, size));
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + size, pos.y + size);
  ImU32 background = active ? IM_COL32(0x1F, 0x6F, 0xEB, 0xFF) : IM_COL32(0x26, 0x2C, 0x36, 0xFF);
  if (hovered) background = active ? IM_COL32(0x38, 0x8B, 0xFD, 0xFF) : IM_COL32(0x30, 0x38, 0x44, 0xFF);
  draw->AddRectFilled(pos, end, background, 4);
  const ImU32 ink = theme::kText;
  const float cx = pos.x + size / 2;
  const float cy = pos.y + size / 2;
  const float r = size * 0.24f;
  auto triangle = [&](float x, float dir) {
    draw->AddTriangleFilled(ImVec2(x - dir * r * 0.8f, cy - r), ImVec2(x - dir * r * 0.8f, cy + r), ImVec2(x + dir * r * 0.9f, cy), ink);
  };
  switch (icon) {
    case Icon::play: triangle(cx + r * 0.1f, 1); break;
    case Icon::pause:
      draw->AddRectFilled(ImVec2(cx - r * 0.85f, cy - r), ImVec2(cx - r * 0.25f, cy + r), ink);
      draw->AddRectFilled(ImVec2(cx + r * 0.25f, cy - r), ImVec2(cx + r * 0.85f, cy + r), ink);
      break;
    case Icon::step_forward:
      triangle(cx - r * 0.3f, 1);
      draw->AddRectFilled(ImVec2(cx + r * 0.65f, cy - r), ImVec2(cx + r * 1.0f, cy + r), ink);
      break;
    case Icon::step_back:
      triangle(cx + r * 0.3f, -1);
      draw->AddRectFilled(ImVec2(cx - r * 1.0f, cy - r), ImVec2(cx - r * 0.65f, cy + r), ink);
      break;
    case Icon::to_start:
      triangle(cx + r * 0.5f, -1);
      triangle(cx - r * 0.6f, -1);
      break;
    case Icon::to_end:
      triangle(cx - r * 0.5f, 1);
      triangle(cx + r * 0.6f, 1);
      break;
    case Icon::open: {
      const float w = r * 1.1f;
      draw->AddRectFilled(ImVec2(cx - w, cy - r * 0.6f), ImVec2(cx + w, cy + r), ink, 2);
      draw->AddRectFilled(ImVec2(cx - w, cy - r), ImVec2(cx - w * 0.1f, cy - r * 0.4f), ink, 2);
      break;
    }
  }
  if (hovered && tooltip != nullptr) ImGui::SetTooltip("%s", tooltip);
  return clicked;
}

void empty_state(const char* title, const char* hint) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 start = ImGui::GetCursorPos();
  const float wrap = std::max(120.0f, std::min(avail.x - 40, 460.0f));
  const ImVec2 title_size = ImGui::CalcTextSize(title, nullptr, false, wrap);
  const ImVec2 hint_size = ImGui::CalcTextSize(hint, nullptr, false, wrap);
  const float total = title_size.y + 6 + hint_size.y;
  const float y = start.y + std::max(8.0f, (avail.y - total) * 0.45f);
  const float x = start.x + std::max(8.0f, (avail.x - wrap) / 2);
  ImGui::SetCursorPos(ImVec2(x + std::max(0.0f, (wrap - title_size.x) / 2), y));
  ImGui::PushTextWrapPos(x + wrap);
  ImGui::TextUnformatted(title);
  ImGui::SetCursorPos(ImVec2(x + std::max(0.0f, (wrap - hint_size.x) / 2), y + title_size.y + 6));
  ImGui::PushStyleColor(ImGuiCol_Text, theme::to_vec4(theme::kTextDim));
  ImGui::TextUnformatted(hint);
  ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
}

void help_marker(const char* text) {
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void text_coloured(ImU32 colour, const char* format, ...) {
  va_list args;
  va_start(args, format);
  ImGui::PushStyleColor(ImGuiCol_Text, theme::to_vec4(colour));
  ImGui::TextV(format, args);
  ImGui::PopStyleColor();
  va_end(args);
}

}  // namespace faultline::gui::widgets
