#!/usr/bin/env bash
# Sets faultline up on a fresh Debian 12 machine and runs the main job: installs the Debian
# packages it needs, builds (Release), then runs the flagship scenario headless and writes its
# report to out/ (JSON, plus HTML to open in a browser and JUnit).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p out
flagship=scenarios/zone-outage-failover.json
set +e
build/release/faultline run "$flagship" --report out/report.json --html out/report.html --junit out/junit.xml --stats
status=$?
set -e
echo "faultline: wrote out/report.json, out/report.html and out/junit.xml (exit $status)"
exit $status
