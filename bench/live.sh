#!/usr/bin/env bash
# Live-mode benchmarks (prints figures, asserts nothing). Everything on 127.0.0.1, started and
# stopped by this script by PID. Usage: bench/live.sh [BUILD_DIR] [SECONDS] [SECTIONS]
#   (BUILD_DIR default build/headless with FAULTLINE_TESTS=ON, for the test backend; SECONDS per
#    measurement, default 10; the memory run takes 6 x SECONDS instead of the issue's 10 minutes)
#  1. the load generator's highest open-loop rate on one core against the backend with zero
#     added latency (5,000 to 60,000 req/s; the backend pinned to cpu 1, its CPU share printed,
#     since at the top rates it is the backend's core that runs out first), beside wrk (closed
#     loop, 1 thread, 64 connections) in the same run;
#  2. the generator's own added latency at 20,000 req/s against a zero-latency backend: the
#     latency from the intended send instants (an upper bound: the backend and the kernel are in
#     it) and the generator's own share of it (late sends plus answers left unread in the
#     kernel, from the kernel's arrival stamps), generator pinned to cpu 0 as in section 1;
#  3. the proxy's added latency per hop at 10,000 req/s: the generator through faultline's proxy
#     (its own process, `faultline proxy`, as HAProxy is) and through HAProxy in TCP mode, against
#     the backend directly; and through the proxy inside the live process (generator and proxy
#     on one thread, as `faultline live` runs them); 3b: 1,000 concurrent connections (wrk)
#     through each proxy, with wrk's error counts;
#  4. memory of a live run at 10,000 req/s, sampled every SECONDS (flat = bounded by connections).
#  SECTIONS (default 1234) picks which to run, e.g. 3 or 34.
#  Every figure is printed with the 1-minute load average at the time ("load L"): on a shared
#  machine the figures measure the contention as much as the tool. Sections 1 and 2 also print
#  the generator's CPU time (user + system) per request, and wrk's: the load-independent figure
#  (50,000 req/s on one core is at most 20 us of CPU per request).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/headless}
seconds=${2:-10}
sections=${3:-1234}
fl=$build/faultline
backend_bin=$build/faultline-test-backend
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
load() { echo "load $(cut -d' ' -f1 /proc/loadavg)"; }
# Runs a command and leaves its CPU seconds (user system, of it and its children) in $work/cpu:
# the figure the machine's load moves least (a busy core delays a process, it does not make
# its work larger).
timed() { python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{r.ru_utime} {r.ru_stime}")' "$work/cpu" "$@" || true; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

be=$(port)
taskset -c 1 "$backend_bin" --listen 127.0.0.1:$be --max-seconds 3600 >/dev/null 2>&1 & pids+=($!)
backend_pid=$!
# The backend's CPU seconds so far (user + system): printed per run in sections 1 and 2, so that a
# backend using all of its core (the limit of the run, not the generator's) shows.
backend_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' /proc/$backend_pid/stat; }
sleep 0.3

scenario() {  # rate duration
  cat > "$work/s.json" <<JSON
{"version": 1, "name": "bench-live", "seed": 1, "duration": "$2", "zones": ["a"],
 "services": [{"name": "api", "instances": [{"zone": "a", "count": 1}], "workers": 1000}],
 "clients": [{"name": "users", "zone": "a", "service": "api", "open_loop": {"rate": $1, "arrivals": "constant"}, "timeout": "2s"}]}
JSON
}
binding_direct() { echo "{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:$1/\", \"max_connections\": 512}}}" > "$work/b.json"; }
live_figures() {  # prints requests ok p50 p99 lateness bottleneck (or why there are none)
  python3 - "$work/r.json" <<'PY' || true
import json, os, sys
if not os.path.exists(sys.argv[1]):
    print("no report (the live run failed; see above)"); sys.exit(0)
r = json.load(open(sys.argv[1])); c = r["clients"][0]; g = r["live"]["generator"]
print(f'requests {c["totals"]["requests"]} ok {c["totals"]["ok"]} p50 {c["latency"]["p50_ms"]} ms p99 {c["latency"]["p99_ms"]} ms '
      f'lateness p99 {g["lateness_p99_ms"]} ms own p50 {g["own_latency_p50_ms"]} ms own p99 {g["own_latency_p99_ms"]} ms bottleneck {g["bottleneck"]} peak connections {r["live"]["connections"]["peak"]}', end=" ")
cpu = os.path.join(os.path.dirname(sys.argv[1]), "cpu")
if os.path.exists(cpu):  # the live process's own CPU time per request ended (user + system)
    user, system = map(float, open(cpu).read().split())
    n = max(c["totals"]["requests"], 1)
    print(f'CPU {(user + system) / n * 1e6:.1f} us/request (user {user / n * 1e6:.1f})', end=" ")
    os.remove(cpu)
backend = os.path.join(os.path.dirname(sys.argv[1]), "backend")
if os.path.exists(backend):  # the backend's CPU seconds over the run, and the run's length
    used, seconds = map(float, open(backend).read().split())
    print(f'backend CPU {100 * used / seconds:.0f}% of its core', end=" ")
    os.remove(backend)
PY
  echo "($(load))"
}

# Bindings with faultline's proxy inside the live process (sections 3 and 4), in TCP mode and
# in HTTP mode (requests framed and counted, as `live` binds a service by default).
px=$(port)
cat > "$work/pb.json" <<JSON
{"clients": {"users": {"url": "http://127.0.0.1:$px/", "max_connections": 512}},
 "services": {"api": {"mode": "tcp", "instances": [{"listen": "127.0.0.1:$px", "upstream": "127.0.0.1:$be"}]}}}
JSON
sed 's/"mode": "tcp"/"mode": "http"/' "$work/pb.json" > "$work/phb.json"

if [[ $sections == *1* ]]; then
echo "== 1. open-loop rate on one core (faultline live, pinned to cpu 0) vs wrk =="
binding_direct $be
for rate in 5000 10000 20000 50000 60000; do
  scenario $rate ${seconds}s
  b0=$(backend_cpu)
  rm -f "$work/r.json"; timed taskset -c 0 "$fl" live "$work/s.json" --bind "$work/b.json" --report "$work/r.json"
  echo "$(python3 -c "print($(backend_cpu) - $b0)") $seconds" > "$work/backend"
  echo -n "faultline live at $rate req/s: "; live_figures
done
echo -n "wrk (1 thread, 64 connections, cpu 0): "
python3 -c 'import resource, subprocess, sys, re
out = subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout
r = resource.getrusage(resource.RUSAGE_CHILDREN)
total = re.search(r"(\d+) requests in", out)
lines = " ".join(" ".join(l.split()) for l in out.splitlines() if "Requests/sec" in l or "Latency" in l)
n = int(total.group(1)) if total else 0
print(lines, f"CPU {(r.ru_utime + r.ru_stime) / max(n, 1) * 1e6:.1f} us/request (user {r.ru_utime / max(n, 1) * 1e6:.1f})", end=" ")' \
  taskset -c 0 wrk -t1 -c64 -d${seconds}s http://127.0.0.1:$be/
echo "($(load))"
fi

if [[ $sections == *2* ]]; then
binding_direct $be
echo "== 2. the generator's own added latency at 20,000 req/s (zero-latency backend) =="
scenario 20000 ${seconds}s
b0=$(backend_cpu)
rm -f "$work/r.json"; timed taskset -c 0 "$fl" live "$work/s.json" --bind "$work/b.json" --report "$work/r.json"
echo "$(python3 -c "print($(backend_cpu) - $b0)") $seconds" > "$work/backend"
echo -n "direct: "; live_figures
fi

if [[ $sections == *3* ]]; then
echo "== 3. added latency per hop at 10,000 req/s: faultline proxy vs HAProxy (TCP mode) =="
hp=$(port)
cat > "$work/h.cfg" <<CFG
global
  maxconn 9000
defaults
  mode tcp
  timeout connect 1s
  timeout client 30s
  timeout server 30s
listen tcp
  bind 127.0.0.1:$hp
  server b 127.0.0.1:$be
CFG
haproxy -db -f "$work/h.cfg" >/dev/null 2>&1 & pids+=($!)
sleep 0.3
# faultline's proxy alone in its own process, created through its Toxiproxy API.
api=$(port); px2=$(port)
"$fl" proxy --api 127.0.0.1:$api >/dev/null 2>&1 & pids+=($!)
sleep 0.5
curl -s -X POST http://127.0.0.1:$api/proxies -d "{\"name\": \"b\", \"listen\": \"127.0.0.1:$px2\", \"upstream\": \"127.0.0.1:$be\"}" >/dev/null
scenario 10000 ${seconds}s
run_live() { rm -f "$work/r.json"; "$fl" live "$work/s.json" --bind "$1" --report "$work/r.json" >/dev/null || true; }
binding_direct $be; run_live "$work/b.json"; echo -n "direct:                        "; live_figures
binding_direct $px2; run_live "$work/b.json"; echo -n "faultline proxy (own process): "; live_figures
binding_direct $hp; run_live "$work/b.json"; echo -n "HAProxy tcp mode:              "; live_figures
run_live "$work/pb.json"; echo -n "faultline proxy in live's thread (tcp mode):  "; live_figures
run_live "$work/phb.json"; echo -n "faultline proxy in live's thread (http mode): "; live_figures

echo "== 3b. 1,000 concurrent connections (wrk, closed loop): through faultline's proxy and HAProxy =="
for target in "faultline proxy:$px2" "HAProxy tcp mode:$hp"; do
  echo -n "${target%%:*}: "
  echo "$(wrk -t2 -c1000 -d${seconds}s http://127.0.0.1:${target##*:}/ 2>&1 | grep -E 'Requests/sec|Latency|Socket errors|Non-2xx' | tr -s ' ' | paste -sd' ') ($(load))"
done
fi

if [[ $sections == *4* ]]; then
echo "== 4. memory of a live run at 10,000 req/s through the proxy, sampled every ${seconds}s =="
scenario 10000 $((6 * seconds))s
"$fl" live "$work/s.json" --bind "$work/pb.json" --report "$work/r.json" >/dev/null & lp=$!; pids+=($lp)
for i in 1 2 3 4 5; do
  sleep "$seconds"
  echo "after $((i * seconds))s: RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$lp/status 2>/dev/null) ($(load))"
done
wait $lp || true
echo -n "memory run: "; live_figures
fi
