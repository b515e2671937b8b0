// The one Catch2 entry point of every test program (faultline_tests, faultline_live_tests,
// faultline_gui_model_tests). Catch2 v2's implementation is compiled here once, not once per
// program: at -O3 it is the most expensive source of the suite to compile.
//
// Every run in the suite checks the engine's invariants (FAULTLINE_CHECK_INVARIANTS=1, inherited
// by the faultline processes the tests start): a conservation bug fails whichever test meets it,
// with exit 3.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
  ::setenv("FAULTLINE_CHECK_INVARIANTS", "1", 0);
  return Catch::Session().run(argc, argv);
}
