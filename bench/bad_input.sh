#!/usr/bin/env bash
# How fast, and in how much memory, faultline refuses bad input: every file of tests/data/bad/
# through `validate` and `run`, then hostile files near the 4 MiB size cap (an array of 1.5
# million wrong items, each a schema error; a file of a million unknown keys; thousands of
# assertions naming unknown clients, each a semantic error). Prints figures; asserts nothing.
# Usage: bench/bad_input.sh [BUILD_DIR]   (default build/bench, a Release build; built if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/bench}
if [ ! -x "$build/faultline" ] || [ ! -x "$build/faultline_measure" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFAULTLINE_GUI=OFF -DFAULTLINE_TESTS=OFF >/dev/null
  cmake --build "$build" --target faultline faultline_measure >/dev/null
fi
measure="$build/faultline_measure"
faultline="$build/faultline"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

echo "== tests/data/bad: each file through validate and run =="
max_wall=0 max_mib=0 max_file="" count=0
for file in "$root"/tests/data/bad/*.json; do
  for command in validate run; do
    line=$("$measure" x -- "$faultline" "$command" "$file" 2>/dev/null)
    wall=$(field wall_s "$line"); mib=$(field peak_mib "$line")
    count=$((count + 1))
    if awk "BEGIN {exit !($wall > $max_wall)}"; then max_wall=$wall; max_file="$command $(basename "$file")"; fi
    if awk "BEGIN {exit !($mib > $max_mib)}"; then max_mib=$mib; fi
  done
done
echo "$count refusals: slowest ${max_wall} s ($max_file), largest peak ${max_mib} MiB"

echo "== hostile files near the 4 MiB cap =="
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
base = {"version": 1, "name": "hostile", "duration": "1m", "zones": ["z"],
        "services": [{"name": "api", "instances": 1, "service_time": "1ms"}],
        "clients": [{"name": "c", "zone": "z", "service": "api", "open_loop": {"rate": 10}}]}
# 1.5 million items that are each wrong (zones must be strings): a schema error per item.
doc = dict(base); doc["zones"] = [1] * 1_500_000
open(f"{out}/array-1.5M-errors.json", "w").write(json.dumps(doc, separators=(",", ":")))
# One object with 300,000 unknown keys.
doc = dict(base); doc["network"] = {f"k{i}": 1 for i in range(300_000)}
open(f"{out}/300k-unknown-keys.json", "w").write(json.dumps(doc, separators=(",", ":")))
# 40,000 schema-valid assertions naming a client that does not exist: semantic errors.
doc = dict(base); doc["assertions"] = [{"name": f"a{i}", "type": "availability", "client": "ghost", "min": "99%"} for i in range(40_000)]
open(f"{out}/40k-semantic-errors.json", "w").write(json.dumps(doc, separators=(",", ":")))
PY
for file in "$out"/*.json; do
  size=$(stat -c %s "$file")
  for command in validate run; do
    line=$("$measure" x -- "$faultline" "$command" "$file" 2>"$out/err")
    printf '%-28s %-8s %7.2f MiB file: wall %6.3f s, peak %7.1f MiB, exit %s, %s lines of messages\n' \
      "$(basename "$file")" "$command" "$(awk "BEGIN {print $size / 1048576}")" "$(field wall_s "$line")" \
      "$(field peak_mib "$line")" "$(field exit "$line")" "$(wc -l <"$out/err")"
  done
done
