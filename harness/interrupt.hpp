// SIGINT/SIGTERM handling: a long run stops at the next check, writes nothing, and says so.
#pragma once

namespace faultline::harness {

// Installs handlers for SIGINT and SIGTERM that only set a flag.
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived; returns the signal number, or 0.
int interrupted();

}  // namespace faultline::harness
