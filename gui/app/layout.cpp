// The windows: a menu bar, the transport strip, and four host windows laid out in a grid (Dear
// ImGui 1.86 from Debian has no docking). Locked, the grid follows the window's size; unlocked,
// windows move freely and ImGui keeps their places in imgui.ini.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <imgui_internal.h>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

struct Tab {
  const char* label;
  const char* panel;
};

const std::vector<Tab>& host_tabs(Host host) {
  static const std::vector<Tab> right{{"Inspector", "inspector"}, {"Discovery", "discovery"}, {"Assertions", "assertions"}, {"What-if", "whatif"}};
  static const std::vector<Tab> bottom_left{{"Charts", "charts"}, {"Scenario", "editor"}};
  static const std::vector<Tab> bottom_right{{"Fault timeline", "timeline"}, {"Event log", "events"}};
  switch (host) {
    case Host::right: return right;
    case Host::bottom_left: return bottom_left;
    case Host::bottom_right: return bottom_right;
  }
  return right;
}

}  // namespace

bool App::draw_panel(const std::string& name) {
  if (name == "transport") transport.draw(*this);
  else if (name == "topology") topology.draw(*this);
  else if (name == "charts") charts.draw(*this);
  else if (name == "timeline") timeline.draw(*this);
  else if (name == "discovery") discovery.draw(*this);
  else if (name == "events") events.draw(*this);
  else if (name == "inspector") inspector.draw(*this);
  else if (name == "editor") editor.draw(*this);
  else if (name == "assertions") assertions.draw(*this);
  else if (name == "whatif") what_if.draw(*this);
  else return false;
  return true;
}

void App::draw(const std::string& single_panel) {
  hovered = hovered_next;
  hovered_next = {};
  handle_shortcuts();
  if (!single_panel.empty()) {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (ImGui::Begin("##single", nullptr, flags)) {
      if (!draw_panel(single_panel)) ImGui::Text("No panel called \"%s\".", single_panel.c_str());
    }
    ImGui::End();
  } else {
    draw_menu_bar();
    draw_layout();
  }
  open_dialog.draw(*this);
}

void App::draw_layout() {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const ImVec2 origin = viewport->WorkPos;
  const ImVec2 size = viewport->WorkSize;
  const float transport_h = std::floor(100 * ui_scale);
  const float left_w = std::floor(size.x * 0.60f);
  const float main_y = origin.y + transport_h;
  const float main_h = size.y - transport_h;
  const float top_h = std::floor(main_h * 0.50f);
  const ImGuiCond cond = layout_locked ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGuiWindowFlags locked = layout_locked ? (ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse) : 0;

  ImGui::SetNextWindowPos(origin, cond);
  ImGui::SetNextWindowSize(ImVec2(size.x, transport_h), cond);
  if (ImGui::Begin("Transport", nullptr, locked | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) transport.draw(*this);
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(origin.x, main_y), cond);
  ImGui::SetNextWindowSize(ImVec2(left_w, top_h), cond);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  if (ImGui::Begin("Topology", nullptr, locked | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar |
                                            ImGuiWindowFlags_NoScrollWithMouse)) {
    if (ImGui::BeginTabBar("##topology_tabs")) {
      if (ImGui::BeginTabItem("Topology")) {
        topology.draw(*this);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
  ImGui::PopStyleVar();

  draw_host(Host::right, "Details", ImVec2(origin.x + left_w, main_y), ImVec2(size.x - left_w, top_h));
  draw_host(Host::bottom_left, "Analysis", ImVec2(origin.x, main_y + top_h), ImVec2(left_w, main_h - top_h));
  draw_host(Host::bottom_right, "History", ImVec2(origin.x + left_w, main_y + top_h), ImVec2(size.x - left_w, main_h - top_h));
}

void App::draw_host(Host host, const char* window_name, ImVec2 pos, ImVec2 size) {
  const ImGuiCond cond = layout_locked ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(pos, cond);
  ImGui::SetNextWindowSize(size, cond);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse;
  if (layout_locked) flags |= ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  const int index = static_cast<int>(host);
  if (ImGui::Begin(window_name, nullptr, flags)) {
    const auto& tabs = host_tabs(host);
    if (ImGui::BeginTabBar(window_name)) {
      for (int t = 0; t < static_cast<int>(tabs.size()); ++t) {
        const ImGuiTabItemFlags tab_flags = tab_forced[index] == t ? ImGuiTabItemFlags_SetSelected : 0;
        if (ImGui::BeginTabItem(tabs[static_cast<std::size_t>(t)].label, nullptr, tab_flags)) {
          if (tab_selected[index] != t) {
            tab_selected[index] = t;
            ImGui::MarkIniSettingsDirty();
          }
          ImGui::BeginChild("##panel", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
          draw_panel(tabs[static_cast<std::size_t>(t)].panel);
          ImGui::EndChild();
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
    tab_forced[index] = -1;
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

void App::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open scenario or report...", "Ctrl+O")) open_dialog.request(false);
    if (ImGui::BeginMenu("Open recent", !recent_files.empty())) {
      for (const std::string& path : std::vector<std::string>(recent_files)) {
        if (ImGui::MenuItem(path.c_str())) {
          std::string error;
          if (!open_path(path, std::nullopt, &error)) note(error, true);
        }
      }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Compare with another run...", nullptr, false, session.loaded())) open_dialog.request(true);
    ImGui::Separator();
    if (ImGui::MenuItem("Save scenario", "Ctrl+S", false, !document.path.empty())) {
      std::string error;
      if (!save_document(document.path, &error)) note(error, true);
    }
    if (ImGui::MenuItem("Save scenario as...", nullptr, false, !document.text.empty())) show_tab("editor");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit_requested = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Playback", session.loaded())) {
    if (ImGui::MenuItem(session.playing() ? "Pause" : "Play", "Space")) session.toggle_play();
    if (ImGui::MenuItem("Next event", "Right")) session.step_forward();
    if (ImGui::MenuItem("Previous event", "Left")) session.step_back();
    if (ImGui::MenuItem("Forward one bucket", "Shift+Right")) seek(session.cursor_ns() + session.bucket_ns());
    if (ImGui::MenuItem("Back one bucket", "Shift+Left")) seek(session.cursor_ns() - session.bucket_ns());
    if (ImGui::MenuItem("Jump to start", "Home")) seek(0);
    if (ImGui::MenuItem("Jump to end", "End")) seek(session.duration_ns());
    ImGui::Separator();
    if (ImGui::MenuItem("Faster", "]")) session.set_speed(session.speed() * 2);
    if (ImGui::MenuItem("Slower", "[")) session.set_speed(session.speed() / 2);
    bool unlimited = session.unlimited();
    if (ImGui::MenuItem("As fast as possible", nullptr, &unlimited)) session.set_unlimited(unlimited);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Lock layout to the window", nullptr, &layout_locked)) ImGui::MarkIniSettingsDirty();
    if (ImGui::MenuItem("Fit topology", "F")) topology.fitted = false;
    ImGui::MenuItem("Legend", nullptr, &topology.show_legend);
    ImGui::MenuItem("Rates on edges", nullptr, &topology.show_rates);
    ImGui::Separator();
    for (const char* tab : {"inspector", "discovery", "assertions", "whatif", "charts", "editor", "timeline", "events"}) {
      if (ImGui::MenuItem(tab)) show_tab(tab);
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    ImGui::TextDisabled("Keyboard");
    ImGui::Text("Space          play / pause");
    ImGui::Text("Right / Left   next / previous event");
    ImGui::Text("Shift+arrows   one bucket forward / back");
    ImGui::Text("Home / End     start / end of the run");
    ImGui::Text("[ / ]          slower / faster");
    ImGui::Text("F              fit the topology");
    ImGui::Text("Esc            clear the selection");
    ImGui::Text("Ctrl+O         open a scenario or report");
    ImGui::Separator();
    ImGui::TextDisabled("faultline-gui %s, Dear ImGui %s", reports::kVersion, IMGUI_VERSION);
    ImGui::EndMenu();
  }

  // Right side: a transient message, or what the session is busy with.
  std::string status;
  ImU32 colour = theme::kTextDim;
  if (!message.empty() && now_s < message_until_s) {
    status = message;
    colour = message_is_error ? theme::kBad : theme::kText;
  } else if (session.loaded() && session.recording_progress() < 1.0) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "recording the whole run... %.0f%%", session.recording_progress() * 100);
    status = buffer;
  } else if (session.comparison_running()) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "running B... %.0f%%", session.comparison_progress() * 100);
    status = buffer;
  } else if (session.loaded()) {
    status = document.display_name;
    if (document.is_report && session.recording()) {
      const bool same = document.report_trace_hash == reports::hex64(session.recording()->trace_hash);
      status += same ? "  (report reproduced exactly)" : "  (replay differs from the report: made by faultline " + document.report_version + ")";
      if (!same) colour = theme::kWarn;
    }
  }
  char fps[32] = "";
  if (show_fps) std::snprintf(fps, sizeof fps, "%.0f fps", ImGui::GetIO().Framerate);
  const float fps_w = ImGui::CalcTextSize(fps).x;
  const float status_w = ImGui::CalcTextSize(status.c_str()).x;
  const float right = ImGui::GetWindowWidth() - 12;
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX() + 20, right - fps_w - status_w - 24));
  widgets::text_coloured(colour, "%s", status.c_str());
  ImGui::SetCursorPosX(right - fps_w);
  ImGui::TextDisabled("%s", fps);
  ImGui::EndMainMenuBar();
}

}  // namespace faultline::gui
