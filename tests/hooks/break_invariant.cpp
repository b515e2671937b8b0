// faultline-test-hooks: the faultline program with its test hook turned on from the
// environment. FAULTLINE_TEST_BREAK_INVARIANT=1 starts every run with a deliberate bookkeeping
// bug, so tests/test_invariants.cpp can show the invariant checker firing through a real
// program. This strong definition overrides the weak one in harness/runner.cpp, which is all
// that the shipped `faultline` has (it always says no).
#include <cstdlib>
#include <string>

#include "harness/runner.hpp"

namespace faultline::harness {

bool break_invariant_for_test() {
  const char* value = std::getenv("FAULTLINE_TEST_BREAK_INVARIANT");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace faultline::harness
