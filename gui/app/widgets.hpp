// Small drawing helpers shared by the panels: time axes, the cursor, badges, legend chips,
// icon buttons and the empty state every panel shows when it has nothing to show.
#pragma once
#include <string>

#include <imgui.h>

#include "sim/time.hpp"

namespace faultline::gui::widgets {

// Maps simulated seconds to screen x over [x0, x1].
struct TimeAxis {
  float x0 = 0;
  float x1 = 1;
  double t0_s = 0;
  double t1_s = 1;
  float x_of(double t_s) const { return x0 + static_cast<float>((t_s - t0_s) / (t1_s - t0_s)) * (x1 - x0); }
  double t_of(float x) const { return t0_s + static_cast<double>((x - x0) / (x1 - x0)) * (t1_s - t0_s); }
  float x_of_ns(sim::TimeNs t) const { return x_of(sim::to_seconds(t)); }
  sim::TimeNs ns_of(float x) const { return static_cast<sim::TimeNs>(t_of(x) * 1e9); }
};

// Tick step in seconds so that labels are at least `min_px` apart.
double tick_step_s(const TimeAxis& axis, float min_px);
// "0", "30s", "1m", "1m30s", "250ms"
std::string tick_label(double t_s, double step_s);
// Vertical grid lines over [y0, y1] and, when `label_y` >= 0, labels at that y.
void draw_time_grid(ImDrawList* draw, const TimeAxis& axis, float y0, float y1, float label_y, float min_px = 80);
void draw_cursor(ImDrawList* draw, const TimeAxis& axis, sim::TimeNs t, float y0, float y1, bool exact);

// A rounded pill with text; returns true when clicked.
bool badge(const char* text, ImU32 colour, bool filled = true);
// A rectangle of colour and a label, on the current line.
void legend_chip(ImU32 colour, const char* label, const char* tooltip = nullptr);

enum class Icon { play, pause, step_forward, step_back, to_start, to_end, open };
bool icon_button(const char* id, Icon icon, float size, const char* tooltip, bool active = false);

// Centred title and hint in the remaining space of the window.
void empty_state(const char* title, const char* hint);

// Dimmed "(?)" with a tooltip.
void help_marker(const char* text);

// Text in a colour.
void text_coloured(ImU32 colour, const char* format, ...) IM_FMTARGS(2);

}  // namespace faultline::gui::widgets
