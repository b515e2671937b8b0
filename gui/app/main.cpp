// faultline-gui: the desktop explorer. Interactive by default; with --at/--screenshot it
// renders the given instants to PNG files and exits (for tests and documentation).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gui/app/app.hpp"
#include "gui/app/options.hpp"
#include "gui/app/window.hpp"
#include "gui/model/format.hpp"
#include "gui/model/run.hpp"

namespace faultline::gui {
namespace {

// $XDG_CONFIG_HOME/faultline/imgui.ini, else ~/.config/faultline/imgui.ini, else ./imgui.ini.
std::string settings_path() {
  namespace fs = std::filesystem;
  fs::path folder;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] != '\0') folder = fs::path(xdg) / "faultline";
  else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') folder = fs::path(home) / ".config" / "faultline";
  else return "imgui.ini";
  std::error_code ec;
  fs::create_directories(folder, ec);
  return ec ? "imgui.ini" : (folder / "imgui.ini").string();
}

void render(Window& window, App& app, const std::string& panel, double dt, double budget, const std::string* screenshot) {
  window.begin_frame();
  app.update(dt, budget);
  app.draw(panel);
  window.end_frame();
  if (screenshot != nullptr) window.save_png(*screenshot);
  window.present();
}

// Options that prepare the view: selection, tabs, run B.
bool apply_view_options(App& app, const Options& o) {
  if (!o.select.empty()) {
    const EntityRef entity = find_entity(app.session.topology(), o.select);
    if (!entity) {
      std::fprintf(stderr, "faultline-gui: --select: nothing called \"%s\"\n", o.select.c_str());
      return false;
    }
    app.select(entity);
    app.show_tab("inspector");
  }
  for (const std::string& tab : o.tabs) app.show_tab(tab);
  if (!o.compare.empty()) {
    std::string error;
    if (!app.open_comparison(o.compare, &error)) {
      std::fprintf(stderr, "faultline-gui: --compare: %s\n", error.c_str());
      return false;
    }
  }
  if (!o.what_if.empty()) {
    try {
      const WhatIf w = parse_what_if(app.session.scenario(), o.what_if);
      auto scenario = std::make_shared<const harness::Scenario>(apply_what_if(app.session.scenario(), w));
      app.session.start_comparison(scenario, w.seed ? *w.seed : app.session.seed(), "B  " + describe_what_if(app.session.scenario(), w));
      app.show_tab("whatif");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faultline-gui: --what-if: %s\n", e.what());
      return false;
    }
  }
  return true;
}

int run_headless(Window& window, App& app, const Options& o) {
  if (!apply_view_options(app, o)) return 2;
  app.session.wait_for_recordings();
  int failures = 0;
  for (const Shot& shot : o.shots) {
    const TimeNs t = std::min(shot.at_ns, app.session.duration_ns());
    const bool backwards = t < app.session.live_ns();
    app.seek(t);
    app.session.settle();
    // A few frames, so that windows, tables and tabs have settled before the capture.
    for (int frame = 0; frame < 4; ++frame) render(window, app, o.panel, 1.0 / 60, 0.0, frame == 3 ? &shot.path : nullptr);
    std::printf("faultline-gui: %s at %s%s -> %s\n", app.session.scenario().name.c_str(), format_time(t).c_str(),
                backwards ? " (replayed from the start)" : "", shot.path.c_str());
    if (o.verify_seek) {
      Run fresh(app.session.scenario_ptr(), app.session.seed());
      fresh.advance_to(t);
      Snapshot expected;
      fresh.capture(expected);
      const std::string difference = app.session.snapshot_exact() ? snapshot_difference(app.session.snapshot(), expected) : "not exact";
      if (difference.empty()) {
        std::printf("faultline-gui:   state equals a fresh run to %s (%llu events, %llu client requests)\n", format_time(t).c_str(),
                    static_cast<unsigned long long>(expected.events),
                    static_cast<unsigned long long>(expected.client_totals.empty() ? 0 : expected.client_totals[0].requests));
      } else {
        std::fprintf(stderr, "faultline-gui: at %s the state differs from a fresh run: %s\n", format_time(t).c_str(), difference.c_str());
        ++failures;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

int run_interactive(Window& window, App& app, const Options& o) {
  if (app.session.loaded() && !apply_view_options(app, o)) return 2;
  double last = -1;
  std::uint64_t last_generation = ~0ull;
  while (!window.should_close() && !app.quit_requested) {
    const bool busy = app.session.playing() || app.session.catching_up() || app.session.recording_progress() < 1.0 ||
                      app.session.comparison_running() || app.document.validation_pending || app.now_s < app.message_until_s;
    window.poll(!busy);
    for (const std::string& path : window.take_dropped()) {
      std::string error;
      if (!app.open_path(path, std::nullopt, &error)) app.note(error, true);
    }
    if (app.session.generation() != last_generation) {
      last_generation = app.session.generation();
      window.set_title(app.session.loaded() ? "faultline - " + app.document.display_name : "faultline");
    }
    const double now = ImGui::GetTime();
    const double dt = last < 0 ? 1.0 / 60 : std::min(0.25, now - last);
    last = now;
    // The engine gets about half of a 60 Hz frame; drawing and the GPU get the rest.
    render(window, app, o.panel, dt, 0.009, nullptr);
  }
  return 0;
}

}  // namespace
}  // namespace faultline::gui

int main(int argc, char** argv) {
  using namespace faultline::gui;
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline-gui: %s\n%s", e.what(), usage().c_str());
    return 2;
  }
  if (options.help) {
    std::printf("%s", usage().c_str());
    return 0;
  }
  if (options.version) {
    std::printf("faultline-gui %s\n", faultline::reports::kVersion);
    return 0;
  }
  try {
    static std::string ini;
    if (!options.headless()) ini = settings_path();
    Window window(options.width, options.height, !options.headless(), options.headless() ? nullptr : ini.c_str());
    App app(theme::load_fonts(window.content_scale()), !options.headless());
    app.show_fps = !options.headless();
    if (!options.input.empty()) {
      std::string error;
      if (!app.open_path(options.input, options.seed, &error)) {
        std::fprintf(stderr, "faultline-gui: %s\n", error.c_str());
        if (options.headless()) return 2;
        app.note(error, true);
      }
    }
    return options.headless() ? run_headless(window, app, options) : run_interactive(window, app, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline-gui: %s\n", e.what());
    return 3;
  }
}
