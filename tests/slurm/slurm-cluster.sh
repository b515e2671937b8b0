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
