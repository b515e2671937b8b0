#!/usr/bin/env bash
# Benchmarks exploration and shrinking (Release): every single fault of the flagship scenario on
# 3 seeds with 1 and then 2 jobs (candidates/s, runs/s, the 1 -> 2 jobs speed-up), and shrinking
# a failing one-hour chaos-monkey seed (bench/chaos-monkey-strict.json, seed 2024).
# Usage: bench/explore.sh [BUILD_DIR]   (default build/bench, a Release build; built if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/bench}
if [ ! -x "$build/faultline" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_GUI=OFF -DFAULTLINE_TESTS=OFF >/dev/null
  cmake --build "$build" --target faultline >/dev/null
fi
faultline="$build/faultline"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }

echo "== explore --space single, scenarios/zone-outage-failover.json, 3 seeds per candidate =="
declare -A wall
for jobs in 1 2; do
  start=$(now)
  set +e
  "$faultline" explore "$root/scenarios/zone-outage-failover.json" --space single --seeds 3 --jobs "$jobs" \
    --out "$out/explore-$jobs" >/dev/null
  code=$?
  set -e
  [ "$code" -le 1 ] || { echo "explore failed (exit $code)"; exit 1; }
  wall[$jobs]=$(awk "BEGIN{printf \"%.2f\", $(now) - $start}")
  candidates=$(python3 -c "import json;print(len(json.load(open('$out/explore-$jobs/explore.json'))['matrix']))")
  runs=$(python3 -c "import json;print(json.load(open('$out/explore-$jobs/explore.json'))['runs'])")
  echo "jobs $jobs: $candidates candidates, $runs runs in ${wall[$jobs]} s: $(awk "BEGIN{printf \"%.2f\", $candidates/${wall[$jobs]}}") candidates/s, $(awk "BEGIN{printf \"%.2f\", $runs/${wall[$jobs]}}") runs/s"
done
cmp -s "$out/explore-1/explore.json" "$out/explore-2/explore.json" && same="identical" || same="DIFFERENT"
echo "scaling 1 -> 2 jobs: x$(awk "BEGIN{printf \"%.2f\", ${wall[1]}/${wall[2]}}") (explore.json $same; target: all singles on 3 seeds <= 30 s on 2 cores)"

echo
echo "== shrink a failing one-hour chaos-monkey seed (bench/chaos-monkey-strict.json, seed 2024) =="
start=$(now)
"$faultline" shrink "$root/bench/chaos-monkey-strict.json" --seed 2024 --jobs 2 --out "$out/min.json" | sed 's/^/  /'
echo "shrink wall: $(awk "BEGIN{printf \"%.1f\", $(now) - $start}") s (target <= 120 s)"
