// The UI self-test (--self-test-ui): drives the real window with scripted mouse and keys, fed
// to ImGui between the backend's device read and the frame, and checks that the clicks and
// keys did what a user expects (play, pause, scrub, select, step, zoom, open).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui_internal.h>

#include "gui/app/app.hpp"
#include "gui/app/self_test.hpp"
#include "gui/app/window.hpp"
#include "gui/model/format.hpp"
#include "gui/model/timeline.hpp"

namespace faultline::gui {
namespace {

struct Driver {
  Window& window;
  App& app;
  ImVec2 mouse{-FLT_MAX, -FLT_MAX};
  bool down = false;
  float wheel = 0;
  int key = -1;
  bool ctrl = false;
  char typed = 0;  // a character typed in this frame
  int failures = 0;

  void frame() {
    window.before_new_frame = [this] {
      ImGuiIO& io = ImGui::GetIO();
      io.MousePos = mouse;
      io.MouseDown[0] = down;
      io.MouseWheel = wheel;
      io.KeyCtrl = ctrl;
      for (int k : {GLFW_KEY_SPACE, GLFW_KEY_RIGHT, GLFW_KEY_LEFT, GLFW_KEY_O, GLFW_KEY_ESCAPE}) io.KeysDown[k] = k == key;
      if (typed != 0) io.AddInputCharacter(static_cast<unsigned>(typed));
      typed = 0;
    };
    app.anchors.clear();  // only what this frame draws
    window.begin_frame();
    app.update(1.0 / 60, 0.05);
    app.draw();
    window.end_frame();
    window.present();
    wheel = 0;
  }
  void frames(int n) {
    for (int i = 0; i < n; ++i) frame();
  }
  void click(ImVec2 at) {
    mouse = at;
    frames(1);
    down = true;
    frames(1);
    down = false;
    frames(2);
  }
  void press(int k, bool with_ctrl = false) {
    ctrl = with_ctrl;
    key = k;
    frames(1);
    key = -1;
    ctrl = false;
    frames(1);
  }
  void settle() {
    app.session.settle();
    frames(2);
  }
  bool has(const char* anchor) {
    if (app.anchors.count(anchor) != 0) return true;
    expect(false, std::string("the widget \"") + anchor + "\" is drawn");
    return false;
  }
  ImVec2 point(const char* anchor, float fx = 0.5f, float fy = 0.5f) {
    const ImVec4 r = app.anchors.at(anchor);
    return ImVec2(r.x + (r.z - r.x) * fx, r.y + (r.w - r.y) * fy);
  }
  void expect(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    failures += ok ? 0 : 1;
  }
};

}  // namespace

int run_ui_self_test(Window& window, App& app) {
  if (!app.session.loaded()) return 2;
  app.record_anchors = true;
  app.session.wait_for_recordings();
  Driver d{window, app};
  d.frames(4);
  const TimeNs duration = app.session.duration_ns();

  if (d.has("play")) {
    d.click(d.point("play"));
    d.expect(app.session.playing(), "clicking play starts playback");
  }
  d.press(GLFW_KEY_SPACE);
  d.expect(!app.session.playing(), "space pauses");

  if (d.has("scrubber")) {
    d.mouse = d.point("scrubber", 0.5f);
    d.frames(1);
    d.down = true;
    d.frames(2);
    d.mouse = d.point("scrubber", 0.25f);
    d.frames(2);
    d.down = false;
    d.frames(1);
    d.settle();
    const double share = static_cast<double>(app.session.cursor_ns()) / static_cast<double>(duration);
    d.expect(std::abs(share - 0.25) < 0.01, "dragging the scrubber back to a quarter seeks there (at " + format_time(app.session.cursor_ns()) + ")");
    d.expect(app.session.snapshot_exact(), "after the drag the engine has replayed to the exact instant");
  }

  const Topology& t = app.session.topology();
  const std::string name = t.instances.back().name;
  const std::string cell = "cell:" + name;
  if (d.has(cell.c_str())) {
    d.click(d.point(cell.c_str()));
    d.expect(app.selection == EntityRef{EntityKind::instance, static_cast<std::uint32_t>(t.instances.size() - 1)}, "clicking a cell selects " + name);
  }

  const TimeNs before = app.session.cursor_ns();
  const TimeNs next = next_entry_after(app.session.known_timeline(), before - 1);
  d.press(GLFW_KEY_RIGHT);
  d.settle();
  if (next >= 0) d.expect(app.session.cursor_ns() == next + 1, "the right arrow goes to just after the next event (" + format_time(next) + ")");
  d.press(GLFW_KEY_LEFT);
  d.settle();
  if (next >= 0) d.expect(app.session.cursor_ns() == next, "the left arrow goes to just before it");

  if (d.has("topology")) {
    const float zoom = app.topology.zoom;
    d.mouse = d.point("topology");
    d.wheel = 1;
    d.frames(2);
    d.expect(app.topology.zoom > zoom, "the wheel zooms the topology in");
  }

  // The fault timeline: clicking a fault's bar jumps to its start.
  app.show_tab("timeline");
  d.frames(3);
  for (std::uint32_t f = 0; f < t.faults.size(); ++f) {
    const std::string bar = "fault-bar:" + t.faults[f].name;
    if (app.anchors.count(bar) == 0) continue;
    const TimeNs start = app.derived().lanes.faults[f].segments.front().start_ns;
    d.click(d.point(bar.c_str(), 0.1f));
    d.settle();
    d.expect(app.session.cursor_ns() == start + 1, "clicking the bar of " + t.faults[f].name + " jumps to its start");
    d.expect(app.selection == EntityRef{EntityKind::fault, f}, "and selects the fault");
    break;
  }

  // The event log: clicking a row goes to just after that event.
  app.seek(duration);
  d.settle();
  app.show_tab("events");
  d.frames(4);
  // A row in plain view: the clipper also draws row 0 out of sight to measure it, and the
  // header hides the first visible row's top, so take the second visible one.
  std::vector<std::pair<int, std::string>> visible_rows;
  for (const auto& [name, rect] : app.anchors) {
    if (name.rfind("event-row:", 0) == 0 && rect.y >= 0 && rect.w <= ImGui::GetIO().DisplaySize.y) visible_rows.push_back({std::stoi(name.substr(10)), name});
  }
  std::sort(visible_rows.begin(), visible_rows.end());
  const std::string first_row = visible_rows.size() >= 2 ? visible_rows[1].second : "";
  d.expect(!first_row.empty(), "the event log lists rows");
  if (!first_row.empty()) {
    const LogEvent& e = app.derived().log[app.events.rows[static_cast<std::size_t>(std::stoi(first_row.substr(10)))]];
    d.click(d.point(first_row.c_str(), 0.3f));
    d.settle();
    d.expect(app.session.cursor_ns() == e.at_ns + 1, "clicking an event row goes to just after it (" + format_time(e.at_ns) + "; at " +
                                                         format_time(app.session.cursor_ns()) + ")");
  }

  // The editor: typing makes the text invalid, and validation says where.
  app.show_tab("editor");
  d.frames(3);
  if (d.has("editor-text")) {
    d.click(d.point("editor-text", 0.02f, 0.02f));
    d.typed = '}';
    d.frames(1);
    d.frames(30);  // validation waits for a quarter of a second of quiet
    d.expect(app.document.dirty(), "typing changes the text");
    d.expect(!app.document.validation.diagnostics.empty() && app.document.validation.diagnostics.front().line > 0,
             "the broken text is reported with its line");
    app.document.text = app.document.applied_text;
    app.validate_now();
  }

  d.press(GLFW_KEY_O, true);
  d.expect(ImGui::GetCurrentContext()->OpenPopupStack.Size > 0, "Ctrl+O opens the open dialog");
  d.press(GLFW_KEY_ESCAPE);
  d.frames(1);
  d.expect(ImGui::GetCurrentContext()->OpenPopupStack.Size == 0, "Esc closes it");

  std::printf(d.failures == 0 ? "PASS\n" : "FAIL\n");
  return d.failures == 0 ? 0 : 1;
}

}  // namespace faultline::gui
