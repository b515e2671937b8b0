// The interrupt flag: set from a signal handler, read by the run loops.
#include "harness/interrupt.hpp"

#include <csignal>

namespace faultline::harness {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signal) { g_signal = signal; }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupted() { return g_signal; }

}  // namespace faultline::harness
