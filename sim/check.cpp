// The failure path of FAULTLINE_ASSERT, kept out of line so the check itself stays one branch.
#include "sim/check.hpp"

namespace faultline::sim {

void invariant_failed(const char* condition, const char* file, int line) {
  throw InvariantViolation(std::string("engine assertion ") + condition + " (" + file + ":" +
                           std::to_string(line) + ")");
}

void invariant_failed(const std::string& message) { throw InvariantViolation(message); }

}  // namespace faultline::sim
