// faultline-gui: the desktop explorer. Interactive by default; with --at/--screenshot it
// renders the given instants to PNG files and exits (for tests and documentation).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gui/app/app.hpp"
#include "gui/app/options.hpp"
#include "gui/app/self_test.hpp"
#include "gui/app/window.hpp"
#include "gui/model/format.hpp"
#include "gui/model/run.hpp"

namespace faultline::gui {
namespace {

// Ctrl+C or a TERM signal close the window normally, so that imgui.ini is saved.
volatile std::sig_atomic_t stop_requested = 0;
void on_stop_signal(int) { stop_requested = 1; }

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
      app.what_if.adopt(app.session, w);
      app.show_tab("whatif");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faultline-gui: --what-if: %s\n", e.what());
      return false;
    }
  }
  return true;
}

int run_headless(Window& window, App& app, const Options& o) {
  if (!app.session.loaded()) {
    // An invalid scenario can still be shown in the editor, with its problems.
    if (o.panel != "editor") return 2;
    for (const Shot& shot : o.shots) {
      for (int frame = 0; frame < 4; ++frame) render(window, app, o.panel, 1.0 / 60, 0.0, frame == 3 ? &shot.path : nullptr);
      std::printf("faultline-gui: the editor with %zu problems -> %s\n", app.document.validation.diagnostics.size(), shot.path.c_str());
    }
    return 0;
  }
  if (!apply_view_options(app, o)) return 2;
  app.session.wait_for_recordings();
  int failures = 0;
  for (const Shot& shot : o.shots) {
    const TimeNs duration = app.session.duration_ns();
    const TimeNs t = shot.at_fraction >= 0 ? static_cast<TimeNs>(std::llround(shot.at_fraction * static_cast<double>(duration)))
                                           : std::min(shot.at_ns, duration);
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

double wall_now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double thread_cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Plays off screen without vsync, as the interactive loop does, and reports frame times (wall
// clock, and this thread's CPU time, which a busy machine disturbs less).
int run_benchmark(Window& window, App& app, const Options& o) {
  if (!app.session.loaded()) return 2;
  if (!apply_view_options(app, o)) return 2;
  if (o.benchmark_speed > 0) app.session.set_speed(o.benchmark_speed);
  app.session.set_unlimited(o.benchmark_speed <= 0);
  app.session.play();
  std::vector<double> frames;
  double engine_s = 0, draw_s = 0, gl_s = 0, cpu_s = 0;
  double last = wall_now();
  for (int f = 0; f < o.benchmark_frames && app.session.playing(); ++f) {
    const double start = wall_now();
    const double cpu_start = thread_cpu_now();
    window.begin_frame();
    app.update(f == 0 ? 1.0 / 60 : start - last, 0.009);
    const double updated = wall_now();
    app.draw(o.panel);
    const double drawn = wall_now();
    window.end_frame();
    window.present();
    const double end = wall_now();
    engine_s += updated - start;
    draw_s += drawn - updated;
    gl_s += end - drawn;
    cpu_s += thread_cpu_now() - cpu_start;
    last = start;
    frames.push_back(end - start);
  }
  std::sort(frames.begin(), frames.end());
  const double n = std::max<double>(1, static_cast<double>(frames.size()));
  const double mean = (engine_s + draw_s + gl_s) / n;
  const double p95 = frames.empty() ? 0 : frames[frames.size() * 95 / 100];
  std::printf("faultline-gui: %zu frames, %zu instances, speed %s: mean %.2f ms (%.0f fps), p95 %.2f ms, max %.2f ms, CPU %.2f ms; "
              "engine %.2f ms, building the UI %.2f ms, rendering %.2f ms; simulated to %s\n",
              frames.size(), app.session.topology().instances.size(), o.benchmark_speed > 0 ? format_speed(o.benchmark_speed).c_str() : "max",
              mean * 1e3, mean > 0 ? 1.0 / mean : 0.0, p95 * 1e3, frames.empty() ? 0.0 : frames.back() * 1e3, cpu_s / n * 1e3,
              engine_s / n * 1e3, draw_s / n * 1e3, gl_s / n * 1e3, format_time(app.session.cursor_ns()).c_str());
  return 0;
}

int run_interactive(Window& window, App& app, const Options& o) {
  if (app.session.loaded() && !apply_view_options(app, o)) return 2;
  double last = -1;
  std::uint64_t last_generation = ~0ull;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  while (!window.should_close() && !app.quit_requested && stop_requested == 0) {
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
  if (!options.panel.empty() && std::find(panel_names().begin(), panel_names().end(), options.panel) == panel_names().end()) {
    std::fprintf(stderr, "faultline-gui: --panel: no panel called \"%s\"\n%s", options.panel.c_str(), usage().c_str());
    return 2;
  }
  // Input problems are exit 2 even where no window could be opened.
  if (options.headless() && !options.input.empty() && options.panel != "editor") {
    try {
      const OpenedFile file = read_input_file(options.input);
      const Validation validation = validate_scenario_text(options.input, file.scenario_text);
      if (!validation.scenario) {
        std::fprintf(stderr, "faultline-gui: %s\n", format_diagnostic(options.input, validation.diagnostics.front()).c_str());
        return validation.diagnostics.front().limit ? 4 : 2;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faultline-gui: %s\n", e.what());
      return 2;
    }
  }
  try {
    static std::string ini;
    if (!options.headless()) ini = settings_path();
    Window window(options.width, options.height, !options.headless(), options.headless() ? nullptr : ini.c_str());
    const float scale = window.content_scale();
    App app(theme::load_fonts(scale), !options.headless());
    app.ui_scale = scale;
    if (scale > 1.0f) ImGui::GetStyle().ScaleAllSizes(scale);
    app.show_fps = !options.headless();
    if (!options.input.empty()) {
      std::string error;
      if (!app.open_path(options.input, options.seed, &error)) {
        std::fprintf(stderr, "faultline-gui: %s\n", error.c_str());
        if (options.headless() && options.panel != "editor") return 2;
        app.note(error, true);
      }
    }
    if (options.benchmark_frames > 0) return run_benchmark(window, app, options);
    if (options.self_test_ui) return run_ui_self_test(window, app);
    return options.headless() ? run_headless(window, app, options) : run_interactive(window, app, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline-gui: %s\n", e.what());
    return 3;
  }
}
