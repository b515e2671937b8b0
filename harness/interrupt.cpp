// The interrupt flag, set from a signal handler, and the command's wall-clock budget, both read
// by the run loops and the later phases. The wall clock never changes what is simulated.
#include "harness/interrupt.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

namespace faultline::harness {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signal) { g_signal = signal; }

using Clock = std::chrono::steady_clock;
std::atomic<double> g_budget_s{0};
std::atomic<Clock::rep> g_deadline{0};

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

int interrupted() { return g_signal; }

void check_interrupt(const std::string& phase) {
  if (const int signal = g_signal; signal != 0) {
    throw Interrupted("interrupted by signal " + std::to_string(signal) + " (" + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                      ") while " + phase);
  }
}

void set_wall_budget(double seconds) {
  g_budget_s = seconds > 0 ? seconds : 0;
  const auto budget = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds > 0 ? seconds : 0));
  g_deadline = (Clock::now() + budget).time_since_epoch().count();
}

double wall_budget_s() { return g_budget_s; }

bool wall_budget_spent() {
  return g_budget_s > 0 && Clock::now().time_since_epoch().count() > g_deadline.load();
}

void check_wall_budget(const char* phase) {
  if (!wall_budget_spent()) return;
  char text[160];
  std::snprintf(text, sizeof text, "limit hit: max_wall (%gs of wall-clock time spent while %s); raise it with --max-wall",
                g_budget_s.load(), phase);
  throw WallBudgetSpent(text);
}

}  // namespace faultline::harness
