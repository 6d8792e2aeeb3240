#!/usr/bin/env bash
# The paper's job chain on a real, private single-node SLURM (ctest label "slurm"):
#  1. starts munged, slurmctld and slurmd in a scratch directory (tests/slurm/private_slurm.sh);
#  2. submits jobs/submit_paper.sh --profile workstation --meta-train l2l,gps with the workstation
#     configs of figures 1 and 5, every config shrunk by L2O_SET to a few iterations
#     (tests/slurm/tiny_chain.sh; GPS: one iteration of a tiny run): meta_train_l2l +
#     meta_train_gps + tune (coarse, then refined) -> evaluate array (one task per fig*.toml,
#     evaluating the freshly trained l2l and psd models too) -> analyze;
#  3. once meta-training has reported an episode, sends SIGUSR1 to its batch script (as SLURM's
#     --signal=B:USR1 would before the walltime): l2o checkpoints and exits 75, the script requeues
#     the job, and the requeued run resumes from the checkpoint;
#  4. checks that every job COMPLETED, the meta-training job restarted once and its log shows the
#     resume, and that the HDF5 outputs hold what the configs ask for and the plots exist;
#  5. stops exactly the daemons it started (also on failure) and prints how long each part took.
# Exit 77 (ctest SKIP_RETURN_CODE) when SLURM or munge is not installed or we are not root.
#   tests/slurm/run_slurm_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]
set -euo pipefail
binary=$(realpath "${1:?usage: run_slurm_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]}")
source_dir=$(realpath "${2:?usage: run_slurm_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]}")
[ -n "${3:-}" ] && export L2O_DATA_DIR="$3"
source "$source_dir/tests/slurm/private_slurm.sh"

reason=$(private_slurm_missing)
if [ -n "$reason" ]; then
  echo "SKIP: no private SLURM on this machine: $reason"
  exit 77
fi

dir=$(mktemp -d /tmp/l2o-slurm-test.XXXXXX)
started=$(date +%s.%N)
since() { awk -v now="$(date +%s.%N)" -v then="$1" 'BEGIN { printf "%.1f", now - then }'; }
results="$dir/results"
failed=1
finish() {
  if [ $failed = 1 ]; then
    echo "--- FAILED; job logs and daemon logs follow" >&2
    for log in "$results"/logs/*.out "$dir"/log/slurmctld.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }
    done
    [ -f "$dir/jobcomp.txt" ] && { echo "--- jobcomp" >&2; cat "$dir/jobcomp.txt" >&2; }
  fi
  local down
  down=$(date +%s.%N)
  private_slurm_down "$dir"
  echo "timing: shutdown $(since "$down") s, whole test $(since "$started") s"
  rm -rf "$dir"
}
trap finish EXIT

up=$(date +%s.%N)
private_slurm_up "$dir"
echo "timing: SLURM up $(since "$up") s ($(sinfo -h -o '%n %c CPUs %T'))"

source "$source_dir/tests/slurm/tiny_chain.sh"
# The workstation configs, with two of the five figures (one 48-48, the longest 100-200) to keep
# the array short: a 100-200 figure spends ~15 s per data set projecting it on this machine.
configs="$dir/config"
mkdir -p "$configs"
for name in tune tune_fine meta_train_l2l meta_train_gps fig1 fig5; do
  ln -s "$source_dir/config/workstation/$name.toml" "$configs/$name.toml"
done
export L2O_BIN="$binary" L2O_RESULTS="$results" L2O_CONFIG_DIR="$configs"
export L2O_ROOT="$source_dir"
# Meta-training and tuning on one CPU each, side by side; each figure on 2 ranks (srun + pmix).
export L2O_META_TRAIN_SBATCH="--cpus-per-task=1" L2O_TUNE_SBATCH="--ntasks=1"
export L2O_EVALUATE_SBATCH="--ntasks=2" L2O_ANALYZE_SBATCH=""

mapfile -t figures < <(find "$L2O_CONFIG_DIR" -maxdepth 1 -name 'fig*.toml' -printf '%f\n' |
  sed 's/\.toml$//' | LC_ALL=C sort)
chain=$(date +%s.%N)
ids=$("$source_dir/jobs/submit_paper.sh" --profile workstation --meta-train l2l,gps)
echo "$ids"
job() { awk -v stage="$1" '$1 == stage { print $2 }' <<<"$ids"; }
meta=$(job meta_train_l2l) gps=$(job meta_train_gps) tune=$(job tune) evaluate=$(job evaluate)
analyze=$(job analyze)
for id in "$meta" "$gps" "$tune" "$evaluate" "$analyze"; do
  [[ "$id" =~ ^[0-9]+$ ]] || { echo "FAIL: submit_paper.sh did not print five job ids" >&2; exit 1; }
done
meta_log="$results/logs/l2o-meta_train_l2l-$meta.out"

# Wait (bounded) until a condition holds, polling every 0.2 s (sbatch --wait polls far slower).
wait_for() {
  local what=$1 limit=$2
  shift 2
  local deadline=$(($(date +%s) + limit))
  until "$@"; do
    [ "$(date +%s)" -lt $deadline ] || { echo "FAIL: no $what within $limit s" >&2; exit 1; }
    sleep 0.2
  done
}
episode_reported() { grep -qE 'episode [0-9]+: meta-loss' "$meta_log" 2>/dev/null; }
queue_empty() { [ -z "$(squeue -h -j "$meta,$gps,$tune,$evaluate,$analyze" 2>/dev/null)" ]; }

wait_for "meta-training progress line" 120 episode_reported
signalled=$(date +%s.%N)
scancel --signal=USR1 --batch "$meta"
echo "timing: first meta-training episode reported $(since "$chain") s after submission; SIGUSR1 sent"
wait_for "end of the chain" 480 queue_empty
echo "timing: chain done $(since "$chain") s after submission ($(since "$signalled") s after the signal)"

# Every job (and array task) COMPLETED with exit 0.
states=$(for id in "$meta" "$gps" "$tune" "$evaluate" "$analyze"; do scontrol show job -o "$id"; done)
completed=$(grep -c 'JobState=COMPLETED .*ExitCode=0:0' <<<"$states" || true)
expected=$((4 + ${#figures[@]}))
[ "$completed" -eq $expected ] || {
  echo "FAIL: $completed of $expected jobs COMPLETED with exit 0:" >&2
  grep -o 'JobId=[0-9]* .*JobState=[A-Z_]*' <<<"$states" | sed 's/ .*JobState=/ /' >&2
  exit 1
}
scontrol show job "$meta" | grep -q 'Restarts=1 ' || {
  echo "FAIL: the meta-training job was not requeued exactly once:" >&2
  scontrol show job "$meta" | grep -o 'Restarts=[0-9]*' >&2
  exit 1
}
# Its log: stopped by the signal with exit 75, requeued, resumed from the checkpoint.
for expect in 'got SIGUSR1' 'exits\? with 75\|(exit 75)' 'requeueing job' "resuming from $results/l2l_checkpoint.h5 (restart 1)" 'resuming after episode [1-9]'; do
  grep -q "$expect" "$meta_log" || { echo "FAIL: meta-training log lacks '$expect'" >&2; exit 1; }
done

grep -E 'got SIGUSR1|exit 75|requeueing|resuming' "$meta_log" | sed 's/^/  log: /'

# Outputs: what each stage wrote, checked against the shrunk configs.
check_tiny_outputs "$results" l2l,gps "${figures[@]}"

# Per-job wall times from the job completion log (the requeued job has two records).
echo "timing: per job (start -> end, from the jobcomp log):"
while read -r line; do
  id=$(grep -o '^JobId=[^ ]*' <<<"$line" | cut -d= -f2)
  name=$(grep -o ' Name=[^ ]*' <<<"$line" | cut -d= -f2)
  state=$(grep -o 'JobState=[^ ]*' <<<"$line" | cut -d= -f2)
  start=$(grep -o 'StartTime=[^ ]*' <<<"$line" | cut -d= -f2)
  end=$(grep -o 'EndTime=[^ ]*' <<<"$line" | cut -d= -f2)
  printf '  %-4s %-24s %-10s %4d s\n' "$id" "$name" "$state" $(($(date -d "$end" +%s) - $(date -d "$start" +%s)))
done <"$dir/jobcomp.txt"
failed=0
echo "PASS: SLURM chain (L2L meta-train with one forced requeue, GPS meta-train, tune, ${#figures[@]}-figure evaluate array, analyze)"
