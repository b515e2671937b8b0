#!/usr/bin/env bash
# A sweep or a fault-space exploration as a Slurm job array: each array task runs one shard (a
# contiguous range of seeds, or of candidates) on its cores, and the first task queues a merge
# job that starts when every task has ended. Documented in docs/scaling.md and docs/explore.md;
# tests/slurm/slurm-cluster.sh runs it for real on a one-node cluster.
#
#   sbatch docs/examples/slurm-array.sh sweep scenarios/zone-outage-failover.json 1-100000
#   sbatch docs/examples/slurm-array.sh explore scenarios/zone-outage-failover.json pairs
#
# Slurm starts about one array task per second on a small controller, so a task should be
# worth minutes of work: 32 tasks over 100 000 seeds give each task 3125 seeds (about 80 s on 8
# cores for the flagship), and an exploration's candidates are split the same way.
#
# Environment (optional): FAULTLINE, the faultline binary (default: faultline on PATH);
# RESULTS, the shared folder for the shards and the merge (default: faultline-JOBID);
# EXPLORE_SEEDS, the seeds each candidate runs on (default 3).
#
#SBATCH --job-name=faultline
#SBATCH --array=1-32
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=faultline-%A_%a.log
set -euo pipefail

usage="usage: sbatch slurm-array.sh sweep SCENARIO SEEDS | explore SCENARIO single|pairs"
mode=${1:?$usage}
scenario=${2:?$usage}
what=${3:?$usage}
faultline=${FAULTLINE:-faultline}
shards=${SLURM_ARRAY_TASK_COUNT:-32}   # Slurm sets it for arrays; 32 matches --array above
task=${SLURM_ARRAY_TASK_ID}
results=${RESULTS:-faultline-${SLURM_ARRAY_JOB_ID}}
mkdir -p "$results"

# Exit 1 only means that some seeds or candidates failed; keep it from failing the array task.
set +e
case "$mode" in
  sweep)
    "$faultline" sweep "$scenario" --seeds "$what" --shard "$task/$shards" \
      --jobs "${SLURM_CPUS_PER_TASK:-1}" --out "$results/shard-$task" ;;
  explore)
    "$faultline" explore "$scenario" --space "$what" --seeds "${EXPLORE_SEEDS:-3}" --shard "$task/$shards" \
      --jobs "${SLURM_CPUS_PER_TASK:-1}" --out "$results/shard-$task" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
code=$?
set -e
[ "$code" -le 1 ] || exit "$code"

# The first task queues the merge, to run after every task of this array has ended well.
if [ "$task" = "1" ]; then
  sbatch --job-name=faultline-merge --dependency="afterok:${SLURM_ARRAY_JOB_ID}" \
    --cpus-per-task=1 --mem=1G --output="$results/merge.log" \
    --wrap="'$faultline' merge '$results'/shard-* --out '$results/merged' && cat '$results/merged/summary.md'"
fi
