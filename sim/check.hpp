// Assertions that stay on in Release builds (TigerBeetle's rule): an engine invariant that
// does not hold is a simulator bug, and a run that carried on would report wrong numbers. A
// failed FAULTLINE_ASSERT throws sim::InvariantViolation; the harness turns it into exit 3
// naming the seed, the simulated time and the command that replays the run.
#pragma once
#include <stdexcept>
#include <string>

namespace faultline::sim {

struct InvariantViolation : std::logic_error {
  using std::logic_error::logic_error;
};

[[noreturn]] void invariant_failed(const char* condition, const char* file, int line);
[[noreturn]] void invariant_failed(const std::string& message);

}  // namespace faultline::sim

// Checked in every build type (unlike assert, which NDEBUG removes).
#define FAULTLINE_ASSERT(condition) \
  ((condition) ? static_cast<void>(0) : ::faultline::sim::invariant_failed(#condition, __FILE__, __LINE__))
