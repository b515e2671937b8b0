// The explorer application: the session it drives, the scenario document, the panels and their
// layout, selection, recent files and the commands panels call (open, seek, select, apply).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gui/app/panels.hpp"
#include "gui/app/theme.hpp"
#include "gui/model/document.hpp"
#include "gui/model/session.hpp"
#include "gui/model/timeline.hpp"
#include "gui/model/topology_layout.hpp"

namespace faultline::gui {

// The scenario text behind the running session, as the editor shows it.
struct Document {
  std::string path;          // where it was read from and is saved to; empty for none
  std::string display_name;  // file name shown in titles
  std::string text;          // the editor's contents
  std::string applied_text;  // the text the session runs
  bool is_report = false;
  std::string report_trace_hash;
  std::string report_version;
  Validation validation;
  bool validation_pending = false;
  double edited_at_s = 0;
  bool dirty() const { return text != applied_text; }
};

// Data derived from the session and rebuilt only when what it depends on changes.
struct Derived {
  std::uint64_t generation = ~0ull;
  const Recording* recording = nullptr;
  std::size_t live_timeline_size = ~std::size_t{0};
  bool complete = false;  // built from the whole recorded run (the future is known)
  std::vector<LogEvent> log;
  Lanes lanes;
  TimeNs end_ns = 0;
  TopologyLayout layout;
  // Marks drawn on every frame by the scrubber and the charts, kept apart from the (possibly
  // long) log so that frames do not walk all of it.
  struct Mark {
    TimeNs at_ns;
    Severity severity;
  };
  std::vector<Mark> breaker_marks;
  std::vector<TimeNs> crash_marks;
  double built_at_s = -1;
};

enum class Host : std::uint8_t { right, bottom_left, bottom_right };

class App {
 public:
  explicit App(theme::Fonts fonts, bool persist_settings);
  ~App();

  // One frame: drives the session, then draws the whole layout (or one panel alone).
  void update(double wall_dt_s, double budget_s);
  void draw(const std::string& single_panel = "");

  // Commands.
  bool open_path(const std::string& path, std::optional<std::uint64_t> seed, std::string* error);
  bool open_comparison(const std::string& path, std::string* error);
  void load(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed);
  void apply_editor();
  bool save_document(const std::string& path, std::string* error);
  void select(EntityRef entity) { selection = entity; }
  void seek(TimeNs t_ns) { session.seek(t_ns); }
  void note(std::string message, bool error = false);
  void remember_recent(const std::string& path);
  void show_tab(const std::string& name);
  void validate_now();

  const Derived& derived();

  // Screen rectangles of named widgets, recorded only for the UI self-test, which clicks them.
  void anchor(const std::string& name, ImVec2 min, ImVec2 max) {
    if (record_anchors) anchors[name] = ImVec4(min.x, min.y, max.x, max.y);
  }
  bool record_anchors = false;
  std::map<std::string, ImVec4> anchors;

  Session session;
  Document document;
  theme::Fonts fonts;
  EntityRef selection;
  EntityRef hovered;       // under the mouse this frame, for cross-highlighting
  EntityRef hovered_next;  // collected while drawing, becomes `hovered` next frame
  std::vector<std::string> recent_files;
  bool layout_locked = true;
  int tab_selected[3] = {0, 0, 0};
  int tab_forced[3] = {-1, -1, -1};
  std::string message;
  bool message_is_error = false;
  double message_until_s = 0;
  double now_s = 0;  // wall seconds since start, for debouncing and messages
  bool quit_requested = false;
  bool show_fps = true;
  float ui_scale = 1.0f;  // the monitor's content scale (fonts and sizes follow it)

  TransportPanel transport;
  TopologyPanel topology;
  ChartsPanel charts;
  TimelinePanel timeline;
  DiscoveryPanel discovery;
  EventLogPanel events;
  InspectorPanel inspector;
  EditorPanel editor;
  AssertionsPanel assertions;
  WhatIfPanel what_if;
  OpenDialog open_dialog;

 private:
  void handle_shortcuts();
  void draw_menu_bar();
  void draw_layout();
  void draw_host(Host host, const char* window_name, ImVec2 pos, ImVec2 size);
  bool draw_panel(const std::string& name);
  void register_settings_handler();

  Derived derived_;
  bool persist_settings_;
};

// Panel names for --panel and tabs: transport, topology, charts, timeline, discovery, events,
// inspector, editor, assertions, whatif.
const std::vector<std::string>& panel_names();

}  // namespace faultline::gui
