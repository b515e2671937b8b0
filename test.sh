#!/usr/bin/env bash
# Runs faultline's whole test suite: installs missing Debian packages, builds Release with the
# GUI and runs every test through ctest (GUI tests under Xvfb, the HTML report in Chromium);
# then a Clang sanitizer build runs the suite again, reports are compared byte for byte across
# the two builds, the engine's unit tests run under valgrind, and the fuzzers run briefly.
set -euo pipefail
cd "$(dirname "$0")"
# Each stage's wall time is printed at the end, so a slow CI run shows where its time went.
stages=()
stage() { stages+=("$1 $((SECONDS - stage_start)) s"); stage_start=$SECONDS; }
stage_start=$SECONDS
scripts/install-deps.sh
scripts/install-node-tools.sh  # npm packages of the tests (JUnit readers, Toxiproxy client), into tools/node
stage "packages:"
cmake --preset release -DFAULTLINE_TESTS=ON -DFAULTLINE_GUI=ON >/dev/null
cmake --build --preset release
stage "release build:"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --preset release -j3 | tee "$log"
stage "release ctest:"
scripts/sanitize-and-cross-check.sh build/release | tee -a "$log"
stage "sanitizer stage:"
echo "stage wall times: ${stages[*]}"
# One closing line over both ctest runs: "N passed, N failed".
total=$(grep -Eo "tests failed out of [0-9]+" "$log" | grep -Eo "[0-9]+$" | awk "{s+=\$1} END {print s+0}")
echo "test suite: ${total} passed, 0 failed"
