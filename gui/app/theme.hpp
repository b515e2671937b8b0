// The explorer's look: a dark theme with one deliberate palette, used for the same meaning
// everywhere (an instance state, a breaker state, a fault window has one colour in every panel).
#pragma once
#include <cstdint>

#include <imgui.h>

#include "gui/model/snapshot.hpp"
#include "gui/model/timeline.hpp"
#include "sim/breaker.hpp"

namespace faultline::gui::theme {

// Surfaces and text.
inline constexpr ImU32 kBackground = IM_COL32(0x12, 0x14, 0x19, 0xFF);
inline constexpr ImU32 kPanel = IM_COL32(0x18, 0x1B, 0x22, 0xFF);
inline constexpr ImU32 kPanelRaised = IM_COL32(0x21, 0x25, 0x2E, 0xFF);
inline constexpr ImU32 kBorder = IM_COL32(0x30, 0x36, 0x3D, 0xFF);
inline constexpr ImU32 kGrid = IM_COL32(0x2A, 0x2F, 0x38, 0xFF);
inline constexpr ImU32 kText = IM_COL32(0xE6, 0xED, 0xF3, 0xFF);
inline constexpr ImU32 kTextDim = IM_COL32(0x8B, 0x94, 0x9E, 0xFF);
inline constexpr ImU32 kTextFaint = IM_COL32(0x5C, 0x64, 0x6E, 0xFF);
inline constexpr ImU32 kAccent = IM_COL32(0x58, 0xA6, 0xFF, 0xFF);
inline constexpr ImU32 kCursor = IM_COL32(0xF0, 0xF6, 0xFC, 0xE6);
inline constexpr ImU32 kSelection = IM_COL32(0x58, 0xA6, 0xFF, 0xFF);

// Meanings.
inline constexpr ImU32 kGood = IM_COL32(0x3F, 0xB9, 0x50, 0xFF);
inline constexpr ImU32 kWarn = IM_COL32(0xD2, 0x99, 0x22, 0xFF);
inline constexpr ImU32 kBad = IM_COL32(0xF8, 0x51, 0x49, 0xFF);
inline constexpr ImU32 kFault = IM_COL32(0xE8, 0x5A, 0x8E, 0xFF);         // fault windows
inline constexpr ImU32 kFaultShade = IM_COL32(0xE8, 0x5A, 0x8E, 0x20);    // behind charts
inline constexpr ImU32 kFuture = IM_COL32(0x12, 0x14, 0x19, 0x8C);        // veil over what has not happened yet

ImU32 visual_state(VisualState state);
ImU32 breaker_state(sim::BreakerState state);
ImU32 severity(Severity severity);
ImU32 log_kind(LogKind kind);
ImU32 zone(std::uint32_t zone);     // a soft tint per zone
ImU32 series(std::uint32_t index);  // chart lines, distinct from the state colours
ImU32 with_alpha(ImU32 colour, float alpha);
ImU32 mix(ImU32 a, ImU32 b, float t);
ImVec4 to_vec4(ImU32 colour);

// Applies the style and colours to the current ImGui context.
void apply_style();

// Loads DejaVu Sans and DejaVu Sans Mono when installed (falls back to ImGui's own font).
struct Fonts {
  ImFont* ui = nullptr;
  ImFont* mono = nullptr;
  ImFont* small = nullptr;
  ImFont* title = nullptr;
};
Fonts load_fonts(float scale);

}  // namespace faultline::gui::theme
