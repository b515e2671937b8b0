// Progress of long work (sweeps, explorations) on standard error. On a terminal: one live line
// rewritten in place. Elsewhere (a CI log, a file), or with NO_COLOR set or TERM=dumb: plain
// lines, one every ~10 s or every 10% of the work, with no escape codes. Only these lines look at
// the wall clock; they never reach a report or standard output.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace faultline::harness {

enum class ProgressStyle { none, live, lines };

// The style for standard error: none when `quiet`, live on a terminal that takes escape codes,
// plain lines otherwise.
ProgressStyle progress_style_for_stderr(bool quiet);

class ProgressReporter {
 public:
  // `what` names the work ("sweep"), `unit` what is counted ("seeds").
  ProgressReporter(ProgressStyle style, std::string what, std::string unit, std::uint64_t total);

  // Reports `done` of the total (and how many of those failed) when a line is due.
  void update(std::uint64_t done, std::uint64_t failures);
  // Clears the live line; a plain-line reporter prints a last line if the last one was stale.
  void finish(std::uint64_t done, std::uint64_t failures);

 private:
  std::string line(std::uint64_t done, std::uint64_t failures) const;

  ProgressStyle style_;
  std::string what_, unit_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_, last_line_;
  std::uint64_t last_done_ = 0;  // at the last plain line
  bool printed_ = false;
};

}  // namespace faultline::harness
