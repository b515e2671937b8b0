// Progress lines on standard error for long work.
#include "harness/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace faultline::harness {
namespace {

constexpr auto kLineEvery = std::chrono::seconds(10);

std::string eta_text(double seconds_left) {
  const auto seconds = static_cast<long long>(seconds_left + 0.5);
  char text[32];
  if (seconds >= 3600) std::snprintf(text, sizeof text, "%lldh%02lldm", seconds / 3600, seconds % 3600 / 60);
  else if (seconds >= 60) std::snprintf(text, sizeof text, "%lldm%02llds", seconds / 60, seconds % 60);
  else std::snprintf(text, sizeof text, "%llds", seconds);
  return text;
}

}  // namespace

ProgressStyle progress_style_for_stderr(bool quiet) {
  if (quiet) return ProgressStyle::none;
  if (::isatty(STDERR_FILENO) != 1) return ProgressStyle::lines;
  // https://no-color.org: NO_COLOR set to anything non-empty; TERM=dumb takes no escape codes.
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if ((no_color != nullptr && no_color[0] != '\0') || (term != nullptr && std::strcmp(term, "dumb") == 0)) {
    return ProgressStyle::lines;
  }
  return ProgressStyle::live;
}

ProgressReporter::ProgressReporter(ProgressStyle style, std::string what, std::string unit, std::uint64_t total)
    : style_(style), what_(std::move(what)), unit_(std::move(unit)), total_(total) {
  start_ = last_line_ = std::chrono::steady_clock::now();
}

std::string ProgressReporter::line(std::uint64_t done, std::uint64_t failures) const {
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
  const std::string eta = done >= total_ ? "0s" : rate > 0 ? eta_text(static_cast<double>(total_ - done) / rate) : "--";
  const int percent = total_ == 0 ? 100 : static_cast<int>(done * 100 / total_);
  char text[256];
  std::snprintf(text, sizeof text, "%s: %llu/%llu %s done (%d%%), %llu failing, %.1f %s/s, ETA %s", what_.c_str(),
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), unit_.c_str(), percent,
                static_cast<unsigned long long>(failures), rate, unit_.c_str(), eta.c_str());
  return text;
}

void ProgressReporter::update(std::uint64_t done, std::uint64_t failures) {
  if (style_ == ProgressStyle::none) return;
  if (style_ == ProgressStyle::live) {
    std::fprintf(stderr, "\r  %s\x1b[K", line(done, failures).c_str());
    std::fflush(stderr);
    printed_ = true;
    return;
  }
  // A plain line when 10% more of the work is done, or 10 s after the last line (if anything
  // moved), whichever comes first.
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t step = total_ / 10 == 0 ? 1 : total_ / 10;
  const bool moved = done > last_done_;
  if (!moved || (done - last_done_ < step && now - last_line_ < kLineEvery)) return;
  std::fprintf(stderr, "faultline: %s\n", line(done, failures).c_str());
  std::fflush(stderr);
  last_done_ = done;
  last_line_ = now;
  printed_ = true;
}

void ProgressReporter::finish(std::uint64_t done, std::uint64_t failures) {
  if (style_ == ProgressStyle::live && printed_) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
  } else if (style_ == ProgressStyle::lines && done > last_done_ && done < total_) {
    std::fprintf(stderr, "faultline: %s\n", line(done, failures).c_str());
  }
}

}  // namespace faultline::harness
