// The faultline-gui command line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace faultline::gui {

struct Shot {
  sim::TimeNs at_ns = 0;
  double at_fraction = -1;  // "--at 25%": a share of the run's duration instead
  std::string path;
};

struct Options {
  std::string input;  // scenario or report to open
  std::optional<std::uint64_t> seed;
  std::vector<Shot> shots;         // --at TIME --screenshot OUT.png, in order
  std::string panel;               // --panel NAME: draw one panel alone
  std::string select;              // --select ENTITY
  std::vector<std::string> tabs;   // --tab NAME
  std::string compare;             // --compare FILE: run B from a file
  std::string what_if;             // --what-if SPEC: run B from toggles
  int width = 1280;
  int height = 800;
  bool verify_seek = false;        // check every shot against a fresh run to the same instant
  bool self_test_ui = false;       // --self-test-ui: scripted clicks and keys, then exit
  int benchmark_frames = 0;        // --benchmark N: play N frames off screen and report frame times
  double benchmark_speed = 1.0;    // --benchmark-speed X (0: as fast as possible)
  bool help = false;
  bool version = false;
  bool headless() const { return !shots.empty() || benchmark_frames > 0 || self_test_ui; }
};

// Parses argv; throws std::invalid_argument with a message naming the bad argument.
Options parse_options(int argc, char** argv);
std::string usage();

}  // namespace faultline::gui
