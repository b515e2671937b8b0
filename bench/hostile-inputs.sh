#!/usr/bin/env bash
# Memory and time of faultline on the hostile inputs of issue 11: valid files within every
# documented limit that are large in one dimension (zones, services, clients, buckets, users),
# and bad input near the size cap. Prints one line per file: exit code, peak resident memory
# and wall time. Figures, not assertions: run it on an idle machine.
#   bench/hostile-inputs.sh [path/to/faultline] [extra faultline flags...]
set -u
bin=${1:-build/release/faultline}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, sys, os
out = sys.argv[1]
def scenario(name, zones=1, services=1, instances=1, clients=1, duration="10s", bucket="1s", users=None, rate=10,
             per_instance_breakers=0):
    z = [f"z{i}" for i in range(zones)]
    sv = [{"name": f"s{i}", "instances": instances, "workers": 1, "service_time": "1ms"} for i in range(services)]
    if per_instance_breakers:
        sv[0]["calls"] = [{"service": "s1", "timeout": "10ms", "breaker": {"trip": {"consecutive_failures": 5}}}
                          for _ in range(per_instance_breakers)]
    cl = []
    for i in range(clients):
        c = {"name": f"c{i}", "zone": "z0", "service": f"s{i % services}", "timeout": "1s"}
        if users: c["closed_loop"] = {"users": users, "think_time": "1s"}
        else: c["open_loop"] = {"rate": rate}
        cl.append(c)
    d = {"version": 1, "name": name, "duration": duration, "metrics": {"bucket": bucket}, "zones": z, "services": sv, "clients": cl}
    json.dump(d, open(os.path.join(out, name + ".json"), "w"))
scenario("zones-10000", zones=10000)
scenario("zones-3000", zones=3000)
scenario("services-10000", services=10000)
scenario("services-and-clients-10000", services=10000, clients=10000)
scenario("buckets-1ms-1000s", duration="1000s", bucket="1ms", rate=1)
# The cases of docs/limits.md's before-and-after table (issue 11 §4).
scenario("buckets-1ms-1000s-rate-100", duration="1000s", bucket="1ms", rate=100)
scenario("services-and-clients-10000-rate-1", services=10000, clients=10000, rate=1)
scenario("users-1000000", users=1000000)
scenario("breakers-2000-per-instance", services=2, instances=1000, per_instance_breakers=2000)
# Bad input: a 3 MB array of 1.5 million elements where a name belongs.
with open(os.path.join(out, "bad-array-1.5M.json"), "w") as f:
    f.write('{"version": 1, "name": [' + ",".join(["1"] * 1500000) + ']}')
PY
printf '%-32s %5s %12s %9s\n' file exit "peak memory" "wall"
for f in "$work"/*.json; do
  name=$(basename "$f" .json)
  /usr/bin/time -f '%M %e' -o "$work/time" "$bin" run "$f" --max-services 100000 --max-clients 100000 --max-users 10000000 "$@" \
    >/dev/null 2>"$work/err"
  code=$?
  read -r kib seconds < <(tail -1 "$work/time")
  printf '%-32s %5s %9.0f MiB %8ss   %s\n' "$name" "$code" "$((kib / 1024))" "$seconds" "$(grep -o 'limit hit: [a-z_]*\|needs about [0-9.]* [KMGT]iB' "$work/err" | head -1)"
done
