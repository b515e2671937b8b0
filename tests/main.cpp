// The Catch2 entry point for the whole suite. Every run in the suite checks the engine's
// invariants (FAULTLINE_CHECK_INVARIANTS=1, inherited by the faultline processes the tests
// start): a conservation bug fails whichever test meets it, with exit 3.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
  ::setenv("FAULTLINE_CHECK_INVARIANTS", "1", 0);
  return Catch::Session().run(argc, argv);
}
