#!/usr/bin/env bash
# The jobs/*.sbatch scripts without SLURM, as on a workstation (plain bash, scripts/mpirun.sh),
# with the workstation configs shrunk to toy size (tests/slurm/tiny_chain.sh):
#  1. meta_train.sbatch l2l, stopped by SIGUSR1 to the script after its first episode: l2o writes
#     the checkpoint and the script exits 75; run again, it removes the temporary checkpoint a
#     killed writer would have left, resumes and delivers the model;
#  2. tune.sbatch on 2 ranks (10 seeds, so that it runs long enough), stopped by SIGUSR1 to the
#     script once the progress file of its second stage (the refinement) exists: l2o saves and the
#     script exits 75; run again, it skips the completed coarse stage (tuned.h5), removes a stale
#     temporary progress file, resumes the progress file and writes tuned_fine.h5;
#  3. evaluate.sbatch for fig1 only (L2O_FIGURE; the SLURM test runs a 100-200 figure) with the
#     fresh model (L2O_LEARNED), analyze.sbatch; checks the outputs.
#   tests/slurm/run_workstation_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]
set -euo pipefail
binary=$(realpath "${1:?usage: run_workstation_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]}")
source_dir=$(realpath "${2:?usage: run_workstation_chain.sh L2O_BINARY SOURCE_DIR [DATA_DIR]}")
[ -n "${3:-}" ] && export L2O_DATA_DIR="$3"
source "$source_dir/tests/slurm/tiny_chain.sh"
results=$(mktemp -d /tmp/l2o-workstation-test.XXXXXX)
trap 'rm -rf "$results"' EXIT
export L2O_BIN="$binary" L2O_RESULTS="$results" L2O_CONFIG_DIR="$source_dir/config/workstation"
export L2O_THREADS=1
unset SLURM_JOB_ID SLURM_NTASKS SLURM_CPUS_PER_TASK SLURM_SUBMIT_DIR L2O_ROOT
jobs="$source_dir/jobs"
fail() { echo "FAIL: $*" >&2; exit 1; }

# stop_and_resume NAME READY_TEST RESUMED_PATTERN STALE SCRIPT ARGS...: runs the job script in
# the background, sends it SIGUSR1 once `READY_TEST` (a shell test) holds, expects exit 75,
# plants the temporary file STALE (as a writer killed mid-write leaves it), runs the script again
# and expects RESUMED_PATTERN in the log and STALE removed.
stop_and_resume() {
  local name=$1 ready=$2 resumed=$3 stale=$4 log="$results/$1.log"
  shift 4
  bash "$@" >"$log" 2>&1 &
  local script=$! status=0
  for _ in $(seq 1200); do
    eval "$ready" && break
    kill -0 $script 2>/dev/null || break
    sleep 0.1
  done
  kill -USR1 $script
  wait $script || status=$?
  [ $status -eq 75 ] || { cat "$log" >&2; fail "$name exit $status after SIGUSR1, expected 75"; }
  echo "half-written" >"$stale"
  bash "$@" >>"$log" 2>&1 || { cat "$log" >&2; fail "the resumed $name failed"; }
  grep -qE "$resumed" "$log" || { cat "$log" >&2; fail "the second $name did not resume"; }
  [ ! -e "$stale" ] && grep -qF "removing 1 temporary file(s) of a killed earlier run: $stale" "$log" ||
    { cat "$log" >&2; fail "the second $name did not remove $stale"; }
}

stop_and_resume meta_train "grep -qE 'episode [0-9]+: meta-loss' \"\$results/meta_train.log\"" \
  'resuming after episode [1-9]' "$results/l2l_checkpoint.h5.tmp.999999" "$jobs/meta_train.sbatch" l2l
grep -q 'run again to continue' "$results/meta_train.log" || fail "no 'run again' hint in the log"
L2O_SET="$L2O_SET;tune.seeds=10" stop_and_resume tune \
  '[ -f "$results/tuned_fine.h5.progress.h5" ]' 'resuming [1-9][0-9]* finished runs' \
  "$results/tuned_fine.h5.progress.h5.tmp.999999" "$jobs/tune.sbatch"
grep -qF "tune: $results/tuned.h5 was completed before the stop; skipping it" "$results/tune.log" ||
  { cat "$results/tune.log" >&2; fail "the second tune did not skip the completed coarse stage"; }

export L2O_LEARNED="$results/l2l_model.h5"
L2O_FIGURE=fig1 bash "$jobs/evaluate.sbatch"
bash "$jobs/analyze.sbatch"
check_tiny_outputs "$results" l2l fig1
echo "PASS: workstation chain (meta-train and tune stopped with 75, swept and resumed, evaluate fig1, analyze)"
