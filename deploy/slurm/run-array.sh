#!/usr/bin/env bash
# One accessgap run spread over a Slurm cluster (docs/distributed.md): a job array, one task per
# shard, and a merge job that starts when every task has succeeded. The report folder is, byte
# for byte, the one `accessgap run` writes on one machine.
#
#   deploy/slurm/run-array.sh SCENARIO SHARDS PATHS WORKDIR
#
# submits both jobs (sbatch) and prints their ids; the shards go to WORKDIR/parts, the report to
# WORKDIR/report. WORKDIR must be on a file system every node sees. The same script is what the
# array's tasks and the merge job run (its first argument says which). ACCESSGAP is the command
# (default: npx accessgap, from the directory the script is submitted from); SBATCH_OPTS adds
# options (partition, account, time) to both jobs.
set -euo pipefail
ACCESSGAP=${ACCESSGAP:-npx accessgap}

case "${1:-}" in
  shard)
    # A task of the array: SLURM_ARRAY_TASK_ID is 1 ... SHARDS.
    shift
    scenario=$1 shards=$2 paths=$3 workdir=$4
    : "${SLURM_ARRAY_TASK_ID:?shard: SLURM_ARRAY_TASK_ID is not set (run through sbatch --array, or set it)}"
    exec $ACCESSGAP run "$scenario" --paths "$paths" --shard "$SLURM_ARRAY_TASK_ID/$shards" \
      --out "$workdir/parts/shard-$SLURM_ARRAY_TASK_ID" --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet
    ;;
  merge)
    shift
    workdir=$4
    exec $ACCESSGAP merge "$workdir"/parts/shard-* --out "$workdir/report" --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet
    ;;
  *)
    if [ $# -ne 4 ]; then
      echo "usage: $0 SCENARIO SHARDS PATHS WORKDIR" >&2
      exit 2
    fi
    scenario=$1 shards=$2 paths=$3 workdir=$4
    mkdir -p "$workdir/parts"
    # shellcheck disable=SC2086
    array=$(sbatch --parsable ${SBATCH_OPTS:-} --job-name=accessgap-shards --array="1-$shards" \
      --cpus-per-task="${CPUS_PER_TASK:-2}" --output="$workdir/shard-%a.log" \
      "$0" shard "$scenario" "$shards" "$paths" "$workdir")
    # shellcheck disable=SC2086
    merge=$(sbatch --parsable ${SBATCH_OPTS:-} --job-name=accessgap-merge --dependency="afterok:$array" \
      --cpus-per-task="${CPUS_PER_TASK:-2}" --output="$workdir/merge.log" \
      "$0" merge "$scenario" "$shards" "$paths" "$workdir")
    echo "submitted: shards job $array (array 1-$shards), merge job $merge; the report will be in $workdir/report"
    ;;
esac
