#!/usr/bin/env bash
# Installs the npm packages the tests use into a project-local folder (build/node-tools by
# default, or $1), never at build time: toxiproxy-node-client for the Toxiproxy API test.
# Needs nodejs and npm (scripts/install-deps.sh). Idempotent: does nothing when installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/build/node-tools}"
packages=(toxiproxy-node-client@4.1.0)
mkdir -p "$dir"
missing=()
for p in "${packages[@]}"; do
  name="${p%@*}"
  [ -f "$dir/node_modules/$name/package.json" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "faultline: npm is missing; run scripts/install-deps.sh first" >&2
  exit 1
fi
[ -f "$dir/package.json" ] || echo '{"name": "faultline-node-tools", "private": true}' > "$dir/package.json"
echo "faultline: installing npm packages into $dir: ${missing[*]}" >&2
(cd "$dir" && npm install --no-audit --no-fund --silent "${missing[@]}" >/dev/null)
