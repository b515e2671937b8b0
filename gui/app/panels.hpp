// The explorer's panels. Each is a struct holding its own state, with a draw() that fills the
// current window (the layout owns the windows, so a panel can also be drawn alone for a
// screenshot). One .cpp file per panel.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/model/chart_data.hpp"
#include "gui/model/timeline.hpp"
#include "gui/model/topology.hpp"
#include "gui/model/session.hpp"
#include "gui/model/whatif.hpp"

namespace faultline::gui {

class App;

// The caller's side of an edge since the start of the run (per-call-site counters: attempts,
// failures by outcome, short-circuited and shed requests, breaker openings, and the counters of
// the patterns that are off by default once one has counted). Shown in the topology's tooltip
// and the edge inspector.
void caller_side_text(App& app, const TopoEdge& edge);

// Play/pause, stepping, speed, the clock and the scrubber over the whole run.
struct TransportPanel {
  bool scrubbing = false;
  bool was_playing = false;
  void draw(App& app);
  void draw_scrubber(App& app, float height);
};

// Zones, services, instances and the edges between them, with breaker badges.
struct TopologyPanel {
  float zoom = 1.0f;
  ImVec2 pan{0, 0};  // world point at the canvas' top-left
  bool fitted = false;
  std::uint64_t fitted_generation = ~0ull;
  std::map<std::string, ImVec2> offsets;  // dragged nodes, by name
  std::string dragging;
  bool show_legend = true;
  bool show_rates = true;
  float legend_h = 56;  // as last drawn
  void draw(App& app);
  void fit(App& app, ImVec2 canvas_size);
};

// Throughput, errors, timeouts, latency, queue depth and in-flight over simulated time.
struct ChartsPanel {
  std::vector<std::string> selected;  // entity keys: "c:web", "s:checkout"
  std::uint64_t generation = ~0ull;
  bool overlay_comparison = true;
  bool show_future = true;
  int window = 0;  // 0 whole run, 1 last minute, 2 ten minutes around the cursor
  bool shown[6] = {true, true, false, true, false, true};  // throughput, errors, timeouts, latency, queue, in flight
  double hover_t = -1;  // shared by all charts: the instant under the mouse, or -1
  std::vector<float> scratch_values;
  std::vector<ChartSample> scratch_samples;
  void draw(App& app);
};

// Lanes of fault windows, breaker states and instance outages; click to jump.
struct TimelinePanel {
  bool show_breakers = true;
  bool expand_breakers = false;
  bool show_instances = true;
  void draw(App& app);
};

// Each caller's discovery view against the registry's truth.
struct DiscoveryPanel {
  bool only_stale = false;
  void draw(App& app);
};

// Every event, filterable, virtualised; click to seek.
struct EventLogPanel {
  LogFilter filter;
  char entity_text[128] = {};
  bool show_future = false;
  bool follow = true;
  std::vector<std::uint32_t> rows;
  std::uint64_t rows_key = ~0ull;
  std::size_t last_visible_count = 0;
  void draw(App& app);
};

// Counters, state history and configuration of the selected entity.
struct InspectorPanel {
  void draw(App& app);
};

// The scenario text with inline validation; apply, save.
struct EditorPanel {
  std::optional<int> jump_to_line;
  std::optional<int> pending_cursor;
  char save_as_path[512] = {};
  void draw(App& app);
};

// Verdicts of the assertions so far and at the end.
struct AssertionsPanel {
  void draw(App& app);
};

// Quick variations of the scenario run beside the current one.
struct WhatIfPanel {
  WhatIf what_if;
  std::uint64_t generation = ~0ull;
  int attempts = 0;  // 0: keep
  float timeout_scale = 1.0f;
  void draw(App& app);
  // Shows `w` as the current toggles (when B was started from the command line).
  void adopt(const Session& session, const WhatIf& w);
};

// Opening scenarios and reports: a path box, a folder listing and recent files.
struct OpenDialog {
  bool open_requested = false;
  bool for_comparison = false;
  char path[1024] = {};
  std::string folder;
  std::string error;
  void request(bool comparison);
  void draw(App& app);
};

}  // namespace faultline::gui
