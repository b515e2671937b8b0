// Command-line parsing for faultline-gui.
#include "gui/app/options.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "harness/duration.hpp"

namespace faultline::gui {

std::string usage() {
  return "usage: faultline-gui [SCENARIO.json | REPORT.json] [--seed N]\n"
         "                     [--at TIME --screenshot OUT.png]... [--panel NAME] [--select ENTITY] [--tab NAME]...\n"
         "                     [--compare FILE] [--what-if SPEC] [--size WxH] [--verify-seek]\n"
         "\n"
         "The desktop explorer. With --screenshot it simulates to TIME (a duration like \"90s\", a share like \"25%\", or \"end\"),\n"
         "renders the window (or one panel, with --panel), saves a PNG and exits; several --at/--screenshot pairs\n"
         "are taken in order, seeking backwards where asked.\n"
         "  --panel NAME      transport, topology, charts, timeline, discovery, events, inspector, editor,\n"
         "                    assertions or whatif, drawn alone\n"
         "  --select ENTITY   select an instance, service, client, edge, breaker or fault by name\n"
         "  --tab NAME        show this panel's tab in the full layout\n"
         "  --compare FILE    run another scenario or report as run B\n"
         "  --what-if SPEC    run B with changes: breakers=on|off, retries=N, timeouts=FACTOR,\n"
         "                    outliers=on|off, instances.SERVICE=N, fault.NAME=off, seed=N (comma-separated)\n"
         "  --verify-seek     after each screenshot, check the state equals a fresh run to that instant\n"
         "  --benchmark N     play N frames off screen (at --benchmark-speed X, or max) and report frame times\n"
         "  --self-test-ui    click and type through the window with a script, check the results, exit\n";
}

Options parse_options(int argc, char** argv) {
  Options o;
  // The --at waiting for its --screenshot (a plain flag and value rather than an optional,
  // which GCC 12 wrongly warns about here).
  bool have_at = false;
  sim::TimeNs pending_at = 0;
  double pending_fraction = -1;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--version") {
      o.version = true;
    } else if (arg == "--seed") {
      const std::string v = value(i);
      try {
        std::size_t used = 0;
        o.seed = std::stoull(v, &used);
        if (used != v.size()) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw std::invalid_argument("--seed: expected a non-negative integer, got \"" + v + "\"");
      }
    } else if (arg == "--at") {
      const std::string v = value(i);
      pending_fraction = -1;
      have_at = true;
      if (v == "end") {
        pending_at = sim::kNever;
      } else if (!v.empty() && v.back() == '%') {
        char* stop = nullptr;
        const double percent = std::strtod(v.c_str(), &stop);
        if (stop != v.c_str() + v.size() - 1 || !(percent >= 0 && percent <= 100)) {
          throw std::invalid_argument("--at: expected a percentage from 0% to 100%, got \"" + v + "\"");
        }
        pending_fraction = percent / 100.0;
        pending_at = 0;
      } else {
        std::string why;
        const auto parsed = harness::parse_go_duration(v, &why);
        if (!parsed) throw std::invalid_argument("--at: expected a duration like \"90s\" or \"end\", got \"" + v + "\": " + why);
        pending_at = *parsed;
      }
    } else if (arg == "--screenshot") {
      const std::string v = value(i);
      if (!have_at) throw std::invalid_argument("--screenshot " + v + ": give --at TIME before it");
      o.shots.push_back({pending_at, pending_fraction, v});
      have_at = false;
      pending_fraction = -1;
    } else if (arg == "--panel") {
      o.panel = value(i);
    } else if (arg == "--select") {
      o.select = value(i);
    } else if (arg == "--tab") {
      o.tabs.push_back(value(i));
    } else if (arg == "--compare") {
      o.compare = value(i);
    } else if (arg == "--what-if") {
      o.what_if = value(i);
    } else if (arg == "--size") {
      const std::string v = value(i);
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 200 || o.height < 80 || o.width > 8192 || o.height > 8192) {
        throw std::invalid_argument("--size: expected WIDTHxHEIGHT like 1280x800, got \"" + v + "\"");
      }
    } else if (arg == "--benchmark") {
      o.benchmark_frames = std::atoi(value(i).c_str());
      if (o.benchmark_frames <= 0) throw std::invalid_argument("--benchmark: expected a number of frames");
    } else if (arg == "--benchmark-speed") {
      const std::string v = value(i);
      o.benchmark_speed = v == "max" ? 0.0 : std::strtod(v.c_str(), nullptr);
      if (v != "max" && !(o.benchmark_speed >= 0.01 && o.benchmark_speed <= 10000)) {
        throw std::invalid_argument("--benchmark-speed: expected 0.01 to 10000, or max");
      }
    } else if (arg == "--self-test-ui") {
      o.self_test_ui = true;
    } else if (arg == "--verify-seek") {
      o.verify_seek = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw std::invalid_argument("unknown option " + arg);
    } else if (o.input.empty()) {
      o.input = arg;
    } else {
      throw std::invalid_argument("only one scenario can be opened (got \"" + o.input + "\" and \"" + arg + "\")");
    }
  }
  if (have_at) throw std::invalid_argument("--at without --screenshot after it");
  if (o.headless() && o.input.empty()) throw std::invalid_argument("--screenshot and --benchmark need a scenario to open");
  return o;
}

}  // namespace faultline::gui
