#!/usr/bin/env bash
# Brings up a single-node Slurm cluster in a scratch folder (munged, slurmctld and slurmd started
# directly, as root, without systemd, on free ports), runs docs/examples/slurm-array.sh end to end
# for a sweep and an exploration, merges, and requires the merged results to be byte-identical to
# the same work run locally. Stops the daemons by the PIDs it started.
#
#   tests/slurm/slurm-cluster.sh FAULTLINE_BINARY SOURCE_DIR
#
# Exit 0: passed; 1: failed; 77: skipped (ctest SKIP_RETURN_CODE), with the reason on stdout.
set -uo pipefail

faultline=${1:?usage: slurm-cluster.sh FAULTLINE_BINARY SOURCE_DIR}
source_dir=${2:?usage: slurm-cluster.sh FAULTLINE_BINARY SOURCE_DIR}
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; show_logs; exit 1; }

[ "$(id -u)" = 0 ] || skip "starting munged, slurmctld and slurmd needs root (running as uid $(id -u))"
for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (scripts/install-deps.sh installs slurm-wlm and munge)"
done

scratch=$(mktemp -d /tmp/faultline-slurm-XXXXXX)
pids=()
stop_daemons() {
  # Only the processes this script started, by PID, last started first.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill "${pids[i]}" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  pids=()
}
show_logs() {
  for log in "$scratch"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }; done
}
cleanup() { stop_daemons; rm -rf "$scratch"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
host=$(hostname -s)
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
mkdir -p "$scratch"/{munge,state,spool,work}
chmod 700 "$scratch/munge"

# munge: its own key, socket and files in the scratch folder.
mungekey --create --keyfile="$scratch/munge/munge.key" >/dev/null 2>&1 || \
  dd if=/dev/urandom of="$scratch/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$scratch/munge/munge.key"
socket="$scratch/munge/munge.socket"
munged --foreground --force --key-file="$scratch/munge/munge.key" --socket="$socket" \
  --pid-file="$scratch/munge/munged.pid" --log-file="$scratch/munged.log" --seed-file="$scratch/munge/munged.seed" \
  >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { show_logs; skip "munged did not start (see its log above)"; }

cpus=$(nproc)
cat >"$scratch/slurm.conf" <<CONF
ClusterName=faultline
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$scratch/slurm.conf"

slurmctld -D -i -f "$SLURM_CONF" >"$scratch/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$scratch/slurmd.out" 2>&1 &
pids+=($!)
up=""
for _ in $(seq 1 300); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -n 1)
  case "$state" in idle*|mixed*|allocated*) up=1; break ;; esac
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { cat "$scratch"/*.out; show_logs; skip "a Slurm daemon exited at start (see its log above)"; }; done
  sleep 0.2
done
[ -n "$up" ] || { show_logs; skip "the Slurm node did not become idle within 60 s (state: ${state:-unknown})"; }
echo "slurm is up: node $host, slurmctld port $ctld_port, slurmd port $slurmd_port"

# The work: a sweep and an exploration, each as a 3-task array of the documented example, with
# the merge it queues. Each task takes a range (a shard) of seeds or candidates.
work="$scratch/work"
example="$source_dir/docs/examples/slurm-array.sh"
sweep_scenario="$source_dir/tests/data/reports/tiny-sweep.json"
explore_scenario="$source_dir/tests/data/explore/tiny-cluster.json"
cd "$work" || fail "cannot enter $work"
submit() {  # RESULTS MODE SCENARIO WHAT
  FAULTLINE="$faultline" RESULTS="$1" EXPLORE_SEEDS=2 sbatch --parsable --array=1-3 --cpus-per-task=1 --mem=200M \
    --time=00:30:00 --output="$work/task-%A_%a.log" "$example" "$2" "$3" "$4" || fail "sbatch refused the $2 array"
}
sweep_job=$(submit "$work/sweep" sweep "$sweep_scenario" 1-12)
explore_job=$(submit "$work/explore" explore "$explore_scenario" single)
echo "submitted sweep array $sweep_job and explore array $explore_job"

# Meanwhile, the same work locally.
"$faultline" sweep "$sweep_scenario" --seeds 1-12 --jobs 1 --out "$work/local-sweep" >/dev/null
[ $? -le 1 ] || fail "the local sweep failed"
"$faultline" explore "$explore_scenario" --space single --seeds 2 --jobs 1 --out "$work/local-explore" >/dev/null
[ $? -le 1 ] || fail "the local exploration failed"

# Wait until both arrays and both merges have left the queue (generous: a slow machine is fine).
deadline=$((SECONDS + 900))
while :; do
  queued=$(squeue -h -o %i 2>/dev/null | wc -l)
  if [ "$queued" = 0 ] && [ -f "$work/sweep/merged/summary.md" ] && [ -f "$work/explore/merged/summary.md" ]; then break; fi
  if [ "$queued" = 0 ] && [ -f "$work/sweep/shard-1/seeds.json" ] && [ -f "$work/explore/shard-1/runs.json" ]; then
    # Everything ran; give a merge that just finished a moment to appear, then judge.
    sleep 1
    [ -f "$work/sweep/merged/summary.md" ] && [ -f "$work/explore/merged/summary.md" ] && break
    cat "$work"/*.log "$work"/*/merge.log 2>/dev/null | tail -n 40
    fail "the jobs left the queue without both merges"
  fi
  [ $SECONDS -lt $deadline ] || { squeue; cat "$work"/*.log 2>/dev/null | tail -n 40; fail "the jobs did not finish within 15 minutes"; }
  sleep 0.5
done

for k in 1 2 3; do
  [ -f "$work/sweep/shard-$k/seeds.json" ] || fail "sweep shard $k has no seeds.json"
  [ -f "$work/explore/shard-$k/runs.json" ] || fail "explore shard $k has no runs.json"
done
diff -r "$work/local-sweep" "$work/sweep/merged" || fail "the merged Slurm sweep differs from the local sweep"
diff -r "$work/local-explore" "$work/explore/merged" || fail "the merged Slurm exploration differs from the local one"
echo "sweep: $(grep -c '"seed"' "$work/sweep/merged/seeds.json") seeds over 3 array tasks, merged byte-identical to the local sweep"
echo "explore: $(ls "$work/explore/merged/scenarios" | wc -l) failing candidates' reproducers; merged byte-identical to the local exploration"
cd /
echo "PASSED"
exit 0
