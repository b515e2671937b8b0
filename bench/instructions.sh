#!/usr/bin/env bash
# Counts the reference chain's instructions per event with callgrind, a figure that does not
# depend on the machine's load (wall time on a shared VM does). The chain
# (bench/reference-chain.json) is run at two simulated durations, LONG and 1 s, with its report
# written; the difference in instructions divided by the difference in events is the cost of one
# event, and what is left at 1 s after its events is the fixed cost (loading, validating,
# reporting). Prints both and the heaviest functions of the long run (their own instructions).
# The chain is read from the source tree the build was configured from (its CMakeCache.txt), so
# an older commit's build runs its own version of the file.
# Usage: bench/instructions.sh [BUILD_DIR] [LONG_SECONDS]   (defaults build/bench, 60)
# Needs valgrind; takes some seconds (the 60 s run is about 0.7G instructions).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/bench}
long=${2:-60}
[ -x "$build/faultline" ] || { echo "no $build/faultline (build it first: see bench/run.sh)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
chain=${src:-$root}/bench/reference-chain.json
[ -f "$chain" ] || chain=$root/bench/reference-chain.json
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# count SECONDS: prints "INSTRUCTIONS EVENTS" for the chain cut to SECONDS of simulated time.
count() {
  local s=$1
  sed "s/\"duration\": \"600s\"/\"duration\": \"${s}s\"/" "$chain" >"$out/ref-$s.json"
  valgrind --tool=callgrind --callgrind-out-file="$out/cg-$s.out" \
    "$build/faultline" run "$out/ref-$s.json" --report "$out/ref-$s.report.json" >/dev/null 2>"$out/vg-$s.log" || true
  local instr events
  instr=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg-$s.out")
  events=$(grep -o '"events": [0-9]*' "$out/ref-$s.report.json" | head -1 | grep -o '[0-9]*$')
  echo "$instr $events"
}

read -r i_long e_long < <(count "$long")
read -r i_short e_short < <(count 1)
per_event=$(awk "BEGIN{printf \"%.0f\", ($i_long-$i_short)/($e_long-$e_short)}")
fixed=$(awk "BEGIN{printf \"%.1f\", ($i_short-$per_event*$e_short)/1e6}")
echo "reference chain ($chain), $build/faultline"
echo "  ${long} s: ${i_long} instructions, ${e_long} events"
echo "  1 s:  ${i_short} instructions, ${e_short} events"
echo "  per event: ${per_event} instructions; fixed cost: ${fixed}M instructions"
echo
echo "heaviest functions at ${long} s (own instructions):"
callgrind_annotate --threshold=90 "$out/cg-$long.out" 2>/dev/null \
  | sed -n '/^Ir/,$p' | grep -v '^Ir\|^-\|^$' | head -15
