#!/usr/bin/env bash
# Installs the npm packages the test suite uses into tools/node/node_modules, at the versions
# tools/node/package-lock.json pins: the JUnit readers that read faultline's JUnit output
# (junit2json, test-results-parser) and toxiproxy-node-client for the live Toxiproxy API test.
# Nothing is installed globally and nothing is downloaded at build time. Needs node and npm
# (scripts/install-deps.sh installs them). Does nothing when the pinned set is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/tools/node
if [ -f "$dir/node_modules/.package-lock.json" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.faultline-lock"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "faultline: npm is missing; run scripts/install-deps.sh first" >&2
  exit 1
fi
echo "faultline: installing the npm test tools into tools/node/node_modules" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
cp "$dir/package-lock.json" "$dir/node_modules/.faultline-lock"
