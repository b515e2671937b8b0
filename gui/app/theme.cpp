// Colours, style and fonts.
#include "gui/app/theme.hpp"

#include <algorithm>
#include <filesystem>

namespace faultline::gui::theme {

ImU32 visual_state(VisualState state) {
  switch (state) {
    case VisualState::healthy: return IM_COL32(0x3F, 0xB9, 0x50, 0xFF);
    case VisualState::slow: return IM_COL32(0xE3, 0xB3, 0x41, 0xFF);
    case VisualState::erroring: return IM_COL32(0xF0, 0x88, 0x3E, 0xFF);
    case VisualState::undiscovered: return IM_COL32(0x6E, 0x76, 0x81, 0xFF);
    case VisualState::ejected: return IM_COL32(0xA3, 0x71, 0xF7, 0xFF);
    case VisualState::draining: return IM_COL32(0x58, 0xA6, 0xFF, 0xFF);
    case VisualState::crashed: return IM_COL32(0xF8, 0x51, 0x49, 0xFF);
  }
  return kText;
}

ImU32 breaker_state(sim::BreakerState state) {
  switch (state) {
    case sim::BreakerState::closed: return kGood;
    case sim::BreakerState::half_open: return kWarn;
    case sim::BreakerState::open: return kBad;
  }
  return kText;
}

ImU32 severity(Severity s) {
  switch (s) {
    case Severity::info: return kTextDim;
    case Severity::good: return kGood;
    case Severity::warning: return kWarn;
    case Severity::bad: return kBad;
  }
  return kText;
}

ImU32 log_kind(LogKind kind) {
  switch (kind) {
    case LogKind::fault: return kFault;
    case LogKind::breaker: return IM_COL32(0xF0, 0x88, 0x3E, 0xFF);
    case LogKind::crash: return kBad;
    case LogKind::instance: return IM_COL32(0x58, 0xA6, 0xFF, 0xFF);
    case LogKind::registry: return IM_COL32(0x39, 0xC5, 0xCF, 0xFF);
    case LogKind::ejection: return IM_COL32(0xA3, 0x71, 0xF7, 0xFF);
    case LogKind::assertion: return IM_COL32(0xE6, 0xED, 0xF3, 0xFF);
  }
  return kText;
}

ImU32 zone(std::uint32_t z) {
  static constexpr ImU32 tints[] = {
      IM_COL32(0x2B, 0x3A, 0x55, 0xFF), IM_COL32(0x2E, 0x46, 0x3C, 0xFF), IM_COL32(0x4A, 0x3B, 0x2A, 0xFF),
      IM_COL32(0x43, 0x2E, 0x4F, 0xFF), IM_COL32(0x26, 0x45, 0x4A, 0xFF), IM_COL32(0x4B, 0x2C, 0x36, 0xFF),
  };
  return tints[z % (sizeof tints / sizeof tints[0])];
}

ImU32 series(std::uint32_t index) {
  static constexpr ImU32 colours[] = {
      IM_COL32(0x58, 0xA6, 0xFF, 0xFF), IM_COL32(0xE3, 0xB3, 0x41, 0xFF), IM_COL32(0xBC, 0x8C, 0xFF, 0xFF),
      IM_COL32(0x39, 0xC5, 0xCF, 0xFF), IM_COL32(0xFF, 0x9B, 0xCE, 0xFF), IM_COL32(0x9E, 0xD6, 0x6B, 0xFF),
  };
  return colours[index % (sizeof colours / sizeof colours[0])];
}

ImU32 with_alpha(ImU32 colour, float alpha) {
  const ImU32 a = static_cast<ImU32>(std::clamp(alpha, 0.0f, 1.0f) * 255.0f + 0.5f);
  return (colour & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

ImU32 mix(ImU32 a, ImU32 b, float t) {
  const ImVec4 x = ImGui::ColorConvertU32ToFloat4(a);
  const ImVec4 y = ImGui::ColorConvertU32ToFloat4(b);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(x.x + (y.x - x.x) * t, x.y + (y.y - x.y) * t, x.z + (y.z - x.z) * t, x.w + (y.w - x.w) * t));
}

ImVec4 to_vec4(ImU32 colour) { return ImGui::ColorConvertU32ToFloat4(colour); }

void apply_style() {
  ImGuiStyle& style = ImGui::GetStyle();
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 4;
  style.ChildRounding = 4;
  style.FrameRounding = 3;
  style.PopupRounding = 4;
  style.GrabRounding = 3;
  style.TabRounding = 3;
  style.ScrollbarRounding = 6;
  style.WindowBorderSize = 1;
  style.FrameBorderSize = 0;
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(7, 4);
  style.ItemSpacing = ImVec2(8, 5);
  style.ItemInnerSpacing = ImVec2(6, 4);
  style.CellPadding = ImVec2(6, 3);
  style.ScrollbarSize = 12;
  style.WindowTitleAlign = ImVec2(0.0f, 0.5f);

  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = to_vec4(kText);
  c[ImGuiCol_TextDisabled] = to_vec4(kTextDim);
  c[ImGuiCol_WindowBg] = to_vec4(kPanel);
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = to_vec4(IM_COL32(0x1C, 0x20, 0x28, 0xF8));
  c[ImGuiCol_Border] = to_vec4(kBorder);
  c[ImGuiCol_FrameBg] = to_vec4(IM_COL32(0x22, 0x27, 0x2F, 0xFF));
  c[ImGuiCol_FrameBgHovered] = to_vec4(IM_COL32(0x2C, 0x33, 0x3D, 0xFF));
  c[ImGuiCol_FrameBgActive] = to_vec4(IM_COL32(0x33, 0x3B, 0x47, 0xFF));
  c[ImGuiCol_TitleBg] = to_vec4(IM_COL32(0x15, 0x18, 0x1E, 0xFF));
  c[ImGuiCol_TitleBgActive] = to_vec4(IM_COL32(0x1A, 0x1F, 0x27, 0xFF));
  c[ImGuiCol_TitleBgCollapsed] = c[ImGuiCol_TitleBg];
  c[ImGuiCol_MenuBarBg] = to_vec4(IM_COL32(0x15, 0x18, 0x1E, 0xFF));
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ScrollbarGrab] = to_vec4(IM_COL32(0x3A, 0x41, 0x4B, 0xFF));
  c[ImGuiCol_ScrollbarGrabHovered] = to_vec4(IM_COL32(0x4A, 0x52, 0x5E, 0xFF));
  c[ImGuiCol_ScrollbarGrabActive] = to_vec4(IM_COL32(0x58, 0x61, 0x6E, 0xFF));
  c[ImGuiCol_CheckMark] = to_vec4(kAccent);
  c[ImGuiCol_SliderGrab] = to_vec4(kAccent);
  c[ImGuiCol_SliderGrabActive] = to_vec4(IM_COL32(0x79, 0xB8, 0xFF, 0xFF));
  c[ImGuiCol_Button] = to_vec4(IM_COL32(0x26, 0x2C, 0x36, 0xFF));
  c[ImGuiCol_ButtonHovered] = to_vec4(IM_COL32(0x30, 0x38, 0x44, 0xFF));
  c[ImGuiCol_ButtonActive] = to_vec4(IM_COL32(0x1F, 0x6F, 0xEB, 0xFF));
  c[ImGuiCol_Header] = to_vec4(IM_COL32(0x1F, 0x6F, 0xEB, 0x50));
  c[ImGuiCol_HeaderHovered] = to_vec4(IM_COL32(0x1F, 0x6F, 0xEB, 0x70));
  c[ImGuiCol_HeaderActive] = to_vec4(IM_COL32(0x1F, 0x6F, 0xEB, 0x90));
  c[ImGuiCol_Separator] = to_vec4(kBorder);
  c[ImGuiCol_Tab] = to_vec4(IM_COL32(0x1A, 0x1E, 0x25, 0xFF));
  c[ImGuiCol_TabHovered] = to_vec4(IM_COL32(0x2C, 0x33, 0x3D, 0xFF));
  c[ImGuiCol_TabActive] = to_vec4(IM_COL32(0x26, 0x2C, 0x36, 0xFF));
  c[ImGuiCol_TabUnfocused] = c[ImGuiCol_Tab];
  c[ImGuiCol_TabUnfocusedActive] = c[ImGuiCol_TabActive];
  c[ImGuiCol_TableHeaderBg] = to_vec4(IM_COL32(0x1F, 0x23, 0x2B, 0xFF));
  c[ImGuiCol_TableBorderStrong] = to_vec4(kBorder);
  c[ImGuiCol_TableBorderLight] = to_vec4(kGrid);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.025f);
  c[ImGuiCol_TextSelectedBg] = to_vec4(IM_COL32(0x1F, 0x6F, 0xEB, 0x70));
  c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.55f);
}

Fonts load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  Fonts fonts;
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x25A0, 0x25FF, 0};
  const char* sans_paths[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"};
  const char* mono_paths[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/TTF/DejaVuSansMono.ttf"};
  const char* bold_paths[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"};
  auto first_existing = [](auto& paths) -> const char* {
    for (const char* p : paths) {
      std::error_code ec;
      if (std::filesystem::exists(p, ec)) return p;
    }
    return nullptr;
  };
  const char* sans = first_existing(sans_paths);
  const char* mono = first_existing(mono_paths);
  const char* bold = first_existing(bold_paths);
  if (sans != nullptr) {
    fonts.ui = io.Fonts->AddFontFromFileTTF(sans, 15.0f * scale, nullptr, ranges);
    fonts.small = io.Fonts->AddFontFromFileTTF(sans, 12.5f * scale, nullptr, ranges);
    fonts.title = io.Fonts->AddFontFromFileTTF(bold != nullptr ? bold : sans, 15.0f * scale, nullptr, ranges);
  }
  if (mono != nullptr) fonts.mono = io.Fonts->AddFontFromFileTTF(mono, 14.0f * scale, nullptr, ranges);
  if (fonts.ui == nullptr) {
    ImFontConfig config;
    config.SizePixels = 13.0f * scale;
    fonts.ui = io.Fonts->AddFontDefault(&config);
  }
  if (fonts.small == nullptr) fonts.small = fonts.ui;
  if (fonts.title == nullptr) fonts.title = fonts.ui;
  if (fonts.mono == nullptr) fonts.mono = fonts.ui;
  io.FontDefault = fonts.ui;
  return fonts;
}

}  // namespace faultline::gui::theme
