#!/usr/bin/env bash
# A 100 000-seed sweep as a Slurm job array: 32 tasks, each one shard on 8 cores, then a merge
# job that starts when every task has ended. Documented in docs/scaling.md.
#
#   sbatch docs/examples/slurm-array.sh scenarios/zone-outage-failover.json 1-100000
#
#SBATCH --job-name=faultline-sweep
#SBATCH --array=1-32
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=faultline-sweep-%A_%a.log
set -euo pipefail

scenario=${1:?usage: sbatch slurm-array.sh SCENARIO SEEDS}
seeds=${2:?usage: sbatch slurm-array.sh SCENARIO SEEDS}
shards=${SLURM_ARRAY_TASK_COUNT:-32}   # Slurm sets it for arrays; 32 matches --array above
results="sweep-${SLURM_ARRAY_JOB_ID}"
mkdir -p "$results"

# Exit 1 only means that some seeds failed; keep it from failing the array task.
set +e
faultline sweep "$scenario" --seeds "$seeds" --shard "${SLURM_ARRAY_TASK_ID}/${shards}" \
  --jobs "${SLURM_CPUS_PER_TASK}" --out "$results/shard-${SLURM_ARRAY_TASK_ID}"
code=$?
set -e
[ "$code" -le 1 ] || exit "$code"

# The first task queues the merge, to run after every task of this array has ended.
if [ "${SLURM_ARRAY_TASK_ID}" = "1" ]; then
  sbatch --job-name=faultline-merge --dependency="afterok:${SLURM_ARRAY_JOB_ID}" \
    --output="$results/merge.log" \
    --wrap="faultline merge $results/shard-* --out $results/merged && cat $results/merged/summary.md"
fi
