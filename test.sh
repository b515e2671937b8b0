#!/usr/bin/env bash
# Runs faultline's whole test suite: installs missing Debian packages, builds Release with the
# GUI, and runs every test through ctest (the GUI tests under Xvfb).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j2
