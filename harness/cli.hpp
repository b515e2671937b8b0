// The `faultline` command line.
#pragma once

namespace faultline::harness {

// Exit codes, as PRODUCT.md fixes them.
enum ExitCode : int {
  kExitPassed = 0,
  kExitFailed = 1,
  kExitInput = 2,
  kExitInternal = 3,
  kExitLimit = 4,
};

int run_cli(int argc, char** argv);

}  // namespace faultline::harness
