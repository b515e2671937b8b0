// The `faultline` program: a thin shell over the harness library.
#include "harness/cli.hpp"

int main(int argc, char** argv) { return faultline::harness::run_cli(argc, argv); }
