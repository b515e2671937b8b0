#!/usr/bin/env bash
# The load generator's work per request, measured so that the machine's load does not move it:
# user-space instructions (valgrind --tool=callgrind) and heap allocations (valgrind
# --tool=dhat) of `faultline live` driving N and 2N requests at a fixed open-loop rate against
# the test backend on 127.0.0.1; the difference divided by the difference in requests answered
# is the cost of one request (start-up, loading and writing the report cancel out). Prints
# figures, asserts nothing. Usage: bench/live-work.sh [BUILD_DIR] [N] [RATE]
#   (BUILD_DIR default build/headless with FAULTLINE_TESTS=ON, for the test backend; N default
#    300 requests; RATE default 100 req/s, which the generator holds under valgrind on a loaded machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/headless}
n=${2:-300}
rate=${3:-100}
fl=$build/faultline
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

be=$(port)
"$build/faultline-test-backend" --listen 127.0.0.1:$be --max-seconds 3600 >/dev/null 2>&1 & pids+=($!)
sleep 0.3
echo "{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:$be/\", \"max_connections\": 64}}}" > "$work/b.json"
scenario() {  # requests -> s.json at $rate
  local ms=$(( $1 * 1000 / rate ))
  cat > "$work/s.json" <<JSON
{"version": 1, "name": "bench-live-work", "seed": 1, "duration": "${ms}ms", "zones": ["a"],
 "services": [{"name": "api", "instances": [{"zone": "a", "count": 1}], "workers": 1000}],
 "clients": [{"name": "users", "zone": "a", "service": "api", "open_loop": {"rate": $rate, "arrivals": "constant"}, "timeout": "2s"}]}
JSON
}
answered() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clients"][0]["totals"]["ok"])' "$1"; }

declare -A ir blocks ok
for k in 1 2; do
  scenario $((k * n))
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$k" "$fl" live "$work/s.json" --bind "$work/b.json" \
    --report "$work/r.$k.json" >/dev/null 2>"$work/cg.$k.err" || true
  ir[$k]=$(awk '/^summary:/ {print $2}' "$work/cg.$k")
  ok[$k]=$(answered "$work/r.$k.json")
  valgrind --tool=dhat --dhat-out-file="$work/dh.$k" "$fl" live "$work/s.json" --bind "$work/b.json" \
    --report "$work/d.$k.json" >/dev/null 2>"$work/dh.$k.err" || true
  blocks[$k]=$(sed -n 's/.*Total: *[0-9,]* bytes in \([0-9,]*\) blocks.*/\1/p' "$work/dh.$k.err" | tr -d ,)
  dok=$(answered "$work/d.$k.json")
  echo "$((k * n)) requests at $rate/s: callgrind ${ir[$k]} instructions, ${ok[$k]} ok; dhat ${blocks[$k]} allocations, $dok ok"
  ok_d[$k]=$dok
done
python3 - "${ir[1]}" "${ir[2]}" "${ok[1]}" "${ok[2]}" "${blocks[1]}" "${blocks[2]}" "${ok_d[1]}" "${ok_d[2]}" <<'PY'
import sys
i1, i2, o1, o2, b1, b2, d1, d2 = map(int, sys.argv[1:])
print(f"per request: {(i2 - i1) / (o2 - o1):,.0f} instructions, {(b2 - b1) / (d2 - d1):.2f} heap allocations "
      f"(differences over {o2 - o1} and {d2 - d1} more requests answered)")
PY
