// The application's commands, derived data, shortcuts and persisted settings.
#include "gui/app/app.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <GLFW/glfw3.h>
#include <imgui_internal.h>

#include "harness/output.hpp"

namespace faultline::gui {

const std::vector<std::string>& panel_names() {
  static const std::vector<std::string> names{"transport", "topology", "charts", "timeline", "discovery",
                                              "events", "inspector", "editor", "assertions", "whatif"};
  return names;
}

App::App(theme::Fonts loaded_fonts, bool persist_settings) : fonts(loaded_fonts), persist_settings_(persist_settings) {
  register_settings_handler();
}

App::~App() = default;

void App::note(std::string text, bool error) {
  message = std::move(text);
  message_is_error = error;
  message_until_s = now_s + (error ? 8.0 : 4.0);
}

void App::remember_recent(const std::string& path) {
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  const std::string& key = ec ? path : absolute;
  recent_files.erase(std::remove(recent_files.begin(), recent_files.end(), key), recent_files.end());
  recent_files.insert(recent_files.begin(), key);
  if (recent_files.size() > 10) recent_files.resize(10);
  ImGui::MarkIniSettingsDirty();
}

bool App::open_path(const std::string& path, std::optional<std::uint64_t> seed, std::string* error) {
  OpenedFile file;
  try {
    file = read_input_file(path);
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return false;
  }
  Validation validation = validate_scenario_text(path, file.scenario_text);
  if (!validation.scenario) {
    if (error != nullptr) {
      *error = validation.diagnostics.empty() ? path + ": not a valid scenario"
                                              : format_diagnostic(path, validation.diagnostics.front());
    }
    // Show the text in the editor anyway, so the problem can be fixed there.
    document = Document{};
    document.path = file.is_report ? "" : path;
    document.display_name = std::filesystem::path(path).filename().string();
    document.text = file.scenario_text;
    document.validation = std::move(validation);
    show_tab("editor");
    return false;
  }
  document = Document{};
  document.path = file.is_report ? "" : path;
  document.display_name = std::filesystem::path(path).filename().string();
  document.text = file.scenario_text;
  document.applied_text = file.scenario_text;
  document.is_report = file.is_report;
  document.report_trace_hash = file.report_trace_hash;
  document.report_version = file.report_version;
  document.validation = validation;
  const std::uint64_t run_seed = seed ? *seed : file.seed ? *file.seed : validation.scenario->model.seed;
  load(validation.scenario, run_seed);
  remember_recent(path);
  note("Opened " + document.display_name + (file.is_report ? " (report: replaying its scenario)" : ""));
  return true;
}

bool App::open_comparison(const std::string& path, std::string* error) {
  if (!session.loaded()) {
    if (error != nullptr) *error = "open a scenario first";
    return false;
  }
  try {
    const OpenedFile file = read_input_file(path);
    Validation validation = validate_scenario_text(path, file.scenario_text);
    if (!validation.scenario) {
      if (error != nullptr) *error = format_diagnostic(path, validation.diagnostics.front());
      return false;
    }
    const std::uint64_t seed = file.seed ? *file.seed : validation.scenario->model.seed;
    session.start_comparison(validation.scenario, seed, "B  " + std::filesystem::path(path).filename().string());
    remember_recent(path);
    return true;
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return false;
  }
}

void App::load(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed) {
  const std::string label = "A  " + scenario->name + "  seed " + std::to_string(seed);
  session.load(std::move(scenario), seed, label);
  selection = {};
  hovered = {};
}

void App::validate_now() {
  document.validation = validate_scenario_text(document.path.empty() ? document.display_name : document.path, document.text);
  document.validation_pending = false;
}

void App::apply_editor() {
  validate_now();
  if (!document.validation.scenario) {
    note("The scenario has problems; see the editor", true);
    return;
  }
  const auto previous = session.recording();
  const TimeNs cursor = session.cursor_ns();
  const std::uint64_t seed = session.loaded() ? session.seed() : document.validation.scenario->model.seed;
  document.applied_text = document.text;
  load(document.validation.scenario, seed);
  session.seek(cursor);
  // The run before the edit stays beside the new one, as run B.
  if (previous && previous->error.empty()) {
    auto before = std::make_shared<Recording>(*previous);
    before->label = "B  before the edit";
    session.set_comparison(std::move(before));
  }
  note("Applied the edited scenario");
}

bool App::save_document(const std::string& path, std::string* error) {
  try {
    harness::write_atomically(path, document.text);
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return false;
  }
  document.path = path;
  document.display_name = std::filesystem::path(path).filename().string();
  document.is_report = false;
  remember_recent(path);
  note("Saved " + path);
  return true;
}

void App::show_tab(const std::string& name) {
  static const std::vector<std::pair<std::string, std::pair<int, int>>> tabs{
      {"inspector", {0, 0}}, {"discovery", {0, 1}}, {"assertions", {0, 2}}, {"whatif", {0, 3}},
      {"charts", {1, 0}},    {"editor", {1, 1}},    {"timeline", {2, 0}},   {"events", {2, 1}},
  };
  for (const auto& [tab, where] : tabs) {
    if (tab == name) tab_forced[where.first] = where.second;
  }
}

const Derived& App::derived() {
  const auto recording = session.recording();
  const bool usable = recording && recording->error.empty();
  const std::size_t live_size = session.loaded() ? session.live_results().timeline.size() : 0;
  // While the recording is under way the live timeline grows; rebuilding from it is throttled.
  const bool stale = derived_.generation != session.generation() ||
                     derived_.recording != (usable ? recording.get() : nullptr) ||
                     (!usable && derived_.live_timeline_size != live_size && now_s - derived_.built_at_s > 0.25);
  if (!stale) {
    if (!usable && session.loaded()) derived_.end_ns = session.live_ns();
    return derived_;
  }
  if (derived_.generation != session.generation()) {
    derived_.layout = session.loaded() ? layout_topology(session.topology()) : TopologyLayout{};
  }
  derived_.generation = session.generation();
  derived_.recording = usable ? recording.get() : nullptr;
  derived_.live_timeline_size = live_size;
  derived_.complete = usable;
  if (!session.loaded()) {
    derived_.log.clear();
    derived_.lanes = Lanes{};
    derived_.end_ns = 0;
  } else if (usable) {
    derived_.log = build_log(recording->topology, recording->timeline, recording->assertions, recording->end_ns);
    derived_.lanes = build_lanes(recording->topology, recording->timeline, recording->end_ns);
    derived_.end_ns = recording->end_ns;
  } else {
    const auto& timeline = session.live_results().timeline;
    derived_.log = build_log(session.topology(), timeline, {}, 0);
    derived_.end_ns = session.live_ns();
    derived_.lanes = build_lanes(session.topology(), timeline, derived_.end_ns);
  }
  derived_.breaker_marks.clear();
  derived_.crash_marks.clear();
  for (const LogEvent& e : derived_.log) {
    if (e.kind == LogKind::breaker) derived_.breaker_marks.push_back({e.at_ns, e.severity});
    if (e.kind == LogKind::crash) derived_.crash_marks.push_back(e.at_ns);
  }
  derived_.built_at_s = now_s;
  return derived_;
}

void App::update(double wall_dt_s, double budget_s) {
  now_s += wall_dt_s;
  session.update(wall_dt_s, budget_s);
  if (document.validation_pending && now_s - document.edited_at_s > 0.25) validate_now();
}

// Dear ImGui 1.86 names only a few keys; the others are GLFW key codes, which the GLFW backend
// uses as ImGui's key indices.
void App::handle_shortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) open_dialog.request(false);
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q, false)) quit_requested = true;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false) && !document.path.empty()) {
    std::string error;
    if (!save_document(document.path, &error)) note(error, true);
  }
  if (io.WantTextInput) return;
  if (!session.loaded()) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) session.toggle_play();
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) {
    if (io.KeyShift) seek(session.cursor_ns() + session.bucket_ns());
    else session.step_forward();
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) {
    if (io.KeyShift) seek(session.cursor_ns() - session.bucket_ns());
    else session.step_back();
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_HOME, false)) seek(0);
  if (ImGui::IsKeyPressed(GLFW_KEY_END, false)) seek(session.duration_ns());
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) selection = {};
  if (!io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_F, false)) topology.fitted = false;
  if (ImGui::IsKeyPressed(GLFW_KEY_KP_ADD, false) || ImGui::IsKeyPressed(GLFW_KEY_RIGHT_BRACKET, false)) {
    session.set_speed(session.speed() * 2);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT, false) || ImGui::IsKeyPressed(GLFW_KEY_LEFT_BRACKET, false)) {
    session.set_speed(session.speed() / 2);
  }
}

// Recent files, the layout lock and the selected tabs live in imgui.ini beside ImGui's own
// window positions, under [Faultline][State].
void App::register_settings_handler() {
  if (!persist_settings_) return;
  ImGuiSettingsHandler handler;
  handler.TypeName = "Faultline";
  handler.TypeHash = ImHashStr("Faultline");
  handler.UserData = this;
  handler.ReadOpenFn = [](ImGuiContext*, ImGuiSettingsHandler* h, const char* name) -> void* {
    return std::strcmp(name, "State") == 0 ? h->UserData : nullptr;
  };
  handler.ReadLineFn = [](ImGuiContext*, ImGuiSettingsHandler*, void* entry, const char* line) {
    App* app = static_cast<App*>(entry);
    int value = 0;
    if (std::strncmp(line, "Recent=", 7) == 0) {
      // The file opened from the command line may already be first in the list.
      const std::string path = line + 7;
      const bool known = std::find(app->recent_files.begin(), app->recent_files.end(), path) != app->recent_files.end();
      if (!known && app->recent_files.size() < 10) app->recent_files.push_back(path);
    } else if (std::sscanf(line, "Locked=%d", &value) == 1) {
      app->layout_locked = value != 0;
    } else if (std::sscanf(line, "TabRight=%d", &value) == 1) {
      app->tab_forced[0] = value;
    } else if (std::sscanf(line, "TabBottomLeft=%d", &value) == 1) {
      app->tab_forced[1] = value;
    } else if (std::sscanf(line, "TabBottomRight=%d", &value) == 1) {
      app->tab_forced[2] = value;
    }
  };
  handler.WriteAllFn = [](ImGuiContext*, ImGuiSettingsHandler* h, ImGuiTextBuffer* out) {
    const App* app = static_cast<const App*>(h->UserData);
    out->appendf("[%s][State]\n", h->TypeName);
    out->appendf("Locked=%d\n", app->layout_locked ? 1 : 0);
    out->appendf("TabRight=%d\nTabBottomLeft=%d\nTabBottomRight=%d\n", app->tab_selected[0], app->tab_selected[1], app->tab_selected[2]);
    for (const std::string& path : app->recent_files) out->appendf("Recent=%s\n", path.c_str());
    out->append("\n");
  };
  ImGui::GetCurrentContext()->SettingsHandlers.push_back(handler);
}

}  // namespace faultline::gui
