// The `faultline` program: a thin shell over the harness library.
#include "harness/cli.hpp"
#include "harness/interrupt.hpp"

int main(int argc, char** argv) {
  faultline::harness::install_interrupt_handlers();
  return faultline::harness::run_cli(argc, argv);
}
