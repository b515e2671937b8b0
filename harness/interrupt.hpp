// SIGINT/SIGTERM handling: a long run stops at the next check, writes nothing, and says so.
// Also the wall-clock budget of the whole command (--max-wall), which every phase checks.
#pragma once
#include <stdexcept>
#include <string>

namespace faultline::harness {

// Installs handlers for SIGINT and SIGTERM that only set a flag, and ignores SIGPIPE: a reader
// that closes its pipe early makes a write fail with EPIPE (exit 2, a message) instead of
// ending the program by the signal (docs/cli.md, "Exit codes").
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived; returns the signal number, or 0.
int interrupted();

// Thrown by check_interrupt: SIGINT or SIGTERM arrived during a phase that has no partial result
// to keep (loading a scenario). Commands exit 4; nothing was written.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Interrupted, naming `phase` ("loading s.json"), once SIGINT or SIGTERM arrived.
void check_interrupt(const std::string& phase);

// --max-wall: the command may use `seconds` of wall-clock time from now, in every phase
// (loading, simulating, judging assertions, rendering outputs). 0 removes the budget.
void set_wall_budget(double seconds);

// The budget in seconds (0: none), and whether it is spent.
double wall_budget_s();
bool wall_budget_spent();

// Thrown by check_wall_budget; commands exit 4 with its message.
struct WallBudgetSpent : std::runtime_error {
  using std::runtime_error::runtime_error;
  // What reached the outputs before the budget was spent: empty means nothing was written (the
  // usual case); else, e.g., how much of a stream its reader got.
  std::string written;
};

// Throws WallBudgetSpent, naming `phase` ("evaluating assertions"), once the budget is spent.
void check_wall_budget(const char* phase);

}  // namespace faultline::harness
