#!/usr/bin/env bash
# Benchmarks faultline (Release, one core) on the reference chain beside the bare event-loop
# floor (shared/reference/heap_floor.cpp), then on the large mesh and a closed-loop variant.
# Prints wall times, their ratio, events per second, simulated requests per wall second and
# peak memory. Usage: bench/run.sh [BUILD_DIR]   (default build/bench, a Release build; built if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/bench}
if [ ! -x "$build/faultline" ] || [ ! -x "$build/faultline_measure" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_GUI=OFF -DFAULTLINE_TESTS=OFF >/dev/null
  cmake --build "$build" --target faultline faultline_measure >/dev/null
fi
measure="$build/faultline_measure"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

floor_src=""
# Beside the repository, or beside its main checkout when this is a git worktree elsewhere.
main_checkout=$(cd "$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root/.git")/.." 2>/dev/null && pwd || echo "$root")
for candidate in "$root/../shared/reference/heap_floor.cpp" "$root/shared/reference/heap_floor.cpp" \
                 "$main_checkout/../shared/reference/heap_floor.cpp"; do
  [ -f "$candidate" ] && floor_src=$candidate && break
done

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

echo "== reference chain (bench/reference-chain.json, 600 simulated seconds) =="
floor_wall=""
if [ -n "$floor_src" ]; then
  g++ -O2 -std=c++17 "$floor_src" -o "$out/heap_floor"
  floor_line=$("$measure" heap_floor -- "$out/heap_floor" 600)
  floor_out=$("$out/heap_floor" 600)
  floor_wall=$(field wall_s "$floor_line")
  echo "heap floor:  wall ${floor_wall} s, peak $(field peak_mib "$floor_line") MiB   ($floor_out)"
else
  echo "heap floor:  shared/reference/heap_floor.cpp not found beside the repo; skipped"
fi
# Run once to warm the file cache, then measure (report written, as the target asks).
"$build/faultline" run "$root/bench/reference-chain.json" --report "$out/ref.json" >/dev/null
line=$("$measure" faultline -- "$build/faultline" run "$root/bench/reference-chain.json" --report "$out/ref.json")
stats=$("$build/faultline" run "$root/bench/reference-chain.json" --stats 2>&1 >/dev/null | tail -1)
wall=$(field wall_s "$line")
events=$(grep -o '"events": [0-9]*' "$out/ref.json" | head -1 | grep -o '[0-9]*$')
requests=$(python3 -c "import json;r=json.load(open('$out/ref.json'));print(r['clients'][0]['totals']['requests'])" 2>/dev/null || echo "?")
p50=$(python3 -c "import json;r=json.load(open('$out/ref.json'));print(r['clients'][0]['latency']['p50_ms'])" 2>/dev/null || echo "?")
p99=$(python3 -c "import json;r=json.load(open('$out/ref.json'));print(r['clients'][0]['latency']['p99_ms'])" 2>/dev/null || echo "?")
timeouts=$(python3 -c "import json;r=json.load(open('$out/ref.json'));print(r['clients'][0]['totals']['timeouts'])" 2>/dev/null || echo "?")
echo "faultline:   wall ${wall} s, peak $(field peak_mib "$line") MiB, events ${events}, $(awk "BEGIN{printf \"%.2f\", $events/$wall/1e6}")M events/s, $(awk "BEGIN{printf \"%.2f\", $requests/$wall/1e6}")M requests/s"
echo "             results: requests ${requests}, timeouts ${timeouts}, p50 ${p50} ms, p99 ${p99} ms (model: p50 ~3.20, p99 ~15.0-15.1, 0 timeouts)"
echo "             ${stats}"
if [ -n "$floor_wall" ]; then
  echo "ratio:       faultline / heap floor = $(awk "BEGIN{printf \"%.2f\", $wall/$floor_wall}") (target <= 2.0)"
fi

echo
echo "== large mesh (bench/large-mesh.json: 100 services, 2000 instances, 3 zones, 50k req/s, 60 s) =="
line=$("$measure" faultline -- "$build/faultline" run "$root/bench/large-mesh.json" --report "$out/mesh.json")
wall=$(field wall_s "$line")
events=$(grep -o '"events": [0-9]*' "$out/mesh.json" | head -1 | grep -o '[0-9]*$')
echo "faultline:   wall ${wall} s, peak $(field peak_mib "$line") MiB, events ${events}, $(awk "BEGIN{printf \"%.2f\", $events/$wall/1e6}")M events/s"

echo
echo "== closed loop (bench/closed-loop.json: the reference chain driven by 2000 fiber users) =="
line=$("$measure" faultline -- "$build/faultline" run "$root/bench/closed-loop.json" --report "$out/closed.json")
wall=$(field wall_s "$line")
events=$(grep -o '"events": [0-9]*' "$out/closed.json" | head -1 | grep -o '[0-9]*$')
echo "faultline:   wall ${wall} s, peak $(field peak_mib "$line") MiB, events ${events}, $(awk "BEGIN{printf \"%.2f\", $events/$wall/1e6}")M events/s"

echo
echo "== invariant checker (run --check-invariants: conservation per client and instance at every bucket) =="
# Each scenario is run alternately without and with the checker, three times each, and the
# best wall time of each kept, so a busy machine hurts both sides alike.
for scenario in reference-chain large-mesh; do
  best_off=""; best_on=""
  for round in 1 2 3; do
    for mode in off on; do
      flag=""; [ "$mode" = on ] && flag="--check-invariants"
      line=$(FAULTLINE_CHECK_INVARIANTS=0 "$measure" "$mode" -- "$build/faultline" run "$root/bench/$scenario.json" $flag --report "$out/inv-$mode.json")
      w=$(field wall_s "$line")
      if [ "$mode" = off ]; then
        if [ -z "$best_off" ] || awk "BEGIN{exit !($w < $best_off)}"; then best_off=$w; fi
      else
        if [ -z "$best_on" ] || awk "BEGIN{exit !($w < $best_on)}"; then best_on=$w; fi
      fi
    done
  done
  events=$(grep -o '"events": [0-9]*' "$out/inv-off.json" | head -1 | grep -o '[0-9]*$')
  cmp -s "$out/inv-off.json" "$out/inv-on.json" && same="identical reports" || same="REPORTS DIFFER"
  echo "$scenario: off ${best_off} s ($(awk "BEGIN{printf \"%.2f\", $events/$best_off/1e6}")M events/s), on ${best_on} s ($(awk "BEGIN{printf \"%.2f\", $events/$best_on/1e6}")M events/s), cost $(awk "BEGIN{printf \"%+.1f\", ($best_on/$best_off-1)*100}")%, ${same}"
done
