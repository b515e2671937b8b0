// Opening a scenario or a saved report (replayed from its embedded scenario): a path box, a
// listing of the folder's .json files, and the recent files.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"

namespace faultline::gui {

void OpenDialog::request(bool comparison) {
  open_requested = true;
  for_comparison = comparison;
  error.clear();
}

void OpenDialog::draw(App& app) {
  namespace fs = std::filesystem;
  const char* title = "Open a scenario or a report";
  if (open_requested) {
    open_requested = false;
    if (folder.empty()) {
      std::error_code ec;
      folder = !app.document.path.empty() ? fs::absolute(app.document.path, ec).parent_path().string() : fs::current_path(ec).string();
    }
    ImGui::OpenPopup(title);
  }
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x / 2, viewport->WorkPos.y + viewport->WorkSize.y / 2), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(760.0f, viewport->WorkSize.x - 40), std::min(500.0f, viewport->WorkSize.y - 40)), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_NoSavedSettings)) return;

  auto open = [&](const std::string& path) {
    std::string why;
    const bool ok = for_comparison ? app.open_comparison(path, &why) : app.open_path(path, std::nullopt, &why);
    if (ok) {
      ImGui::CloseCurrentPopup();
    } else {
      error = why;
    }
  };

  ImGui::TextDisabled(for_comparison ? "The run opened here becomes run B, overlaid on the charts and compared in What-if."
                                     : "A scenario .json, or a report.json written by `faultline run --report`, which is replayed.");
  ImGui::SetNextItemWidth(-80);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool enter = ImGui::InputTextWithHint("##path", "path/to/scenario.json", path, sizeof path, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open", ImVec2(-1, 0)) || enter) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) folder = fs::absolute(path, ec).string();
    else open(path);
  }
  if (!error.empty()) {
    ImGui::PushTextWrapPos(0);
    widgets::text_coloured(theme::kBad, "%s", error.c_str());
    ImGui::PopTextWrapPos();
  }

  const float footer = ImGui::GetFrameHeightWithSpacing() + 4;
  const float half = ImGui::GetContentRegionAvail().x * 0.58f;
  ImGui::BeginChild("##folder", ImVec2(half, -footer), true);
  ImGui::TextDisabled("%s", folder.c_str());
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (it->is_directory(ec) || it->path().extension() == ".json") entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(), [](const fs::directory_entry& a, const fs::directory_entry& b) {
    std::error_code e;
    if (a.is_directory(e) != b.is_directory(e)) return a.is_directory(e);
    return a.path().filename() < b.path().filename();
  });
  if (ImGui::Selectable("..", false, ImGuiSelectableFlags_DontClosePopups)) folder = fs::path(folder).parent_path().string();
  for (const auto& entry : entries) {
    const bool directory = entry.is_directory(ec);
    const std::string name = entry.path().filename().string() + (directory ? "/" : "");
    if (directory) ImGui::PushStyleColor(ImGuiCol_Text, theme::to_vec4(theme::kAccent));
    if (ImGui::Selectable(name.c_str(), entry.path().string() == path, ImGuiSelectableFlags_DontClosePopups | ImGuiSelectableFlags_AllowDoubleClick)) {
      if (directory) {
        folder = entry.path().string();
      } else {
        std::snprintf(path, sizeof path, "%s", entry.path().string().c_str());
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) open(path);
      }
    }
    if (directory) ImGui::PopStyleColor();
  }
  if (entries.empty()) ImGui::TextDisabled("no .json files here");
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##recent", ImVec2(0, -footer), true);
  ImGui::TextDisabled("recent");
  if (app.recent_files.empty()) ImGui::TextDisabled("nothing opened yet");
  for (const std::string& recent : std::vector<std::string>(app.recent_files)) {
    const std::string label = fs::path(recent).filename().string();
    if (ImGui::Selectable((label + "##" + recent).c_str(), false, ImGuiSelectableFlags_DontClosePopups | ImGuiSelectableFlags_AllowDoubleClick)) {
      std::snprintf(path, sizeof path, "%s", recent.c_str());
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) open(path);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", recent.c_str());
  }
  ImGui::EndChild();
  if (ImGui::Button("Cancel", ImVec2(120, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
  ImGui::SameLine();
  ImGui::TextDisabled("double-click a file to open it; you can also drop files onto the window");
  ImGui::EndPopup();
}

}  // namespace faultline::gui
