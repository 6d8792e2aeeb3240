#!/usr/bin/env bash
# Submits the paper's experiments as one SLURM job chain and prints the job ids, one
# "<stage> <job id>" line each on stdout:
#   [meta_train_<method> ...]   jobs/meta_train.sbatch <method>, one job per --meta-train method
#   tune                        jobs/tune.sbatch (tune.toml, then its refinement tune_fine.toml)
#   evaluate                    jobs/evaluate.sbatch, array task k = k-th fig*.toml of the configs;
#                               afterok: tune and the meta-training jobs (whose models it evaluates)
#   analyze                     jobs/analyze.sbatch, afterok: evaluate
#
#   jobs/submit_paper.sh [--profile paper|workstation] [--meta-train l2l[,gps]] [--no-tune]
#
# --profile      configs from config/<profile>/, results in results/<profile>/ (default paper;
#                L2O_CONFIG_DIR / L2O_RESULTS override both)
# --meta-train   meta-train these methods first and evaluate their models instead of the config's
#                evaluate.learned (the committed models/)
# --no-tune      reuse an existing <results>/tuned_fine.h5
# Per-stage sbatch options: L2O_SBATCH (all jobs, e.g. "--partition=x --account=y"),
# L2O_META_TRAIN_SBATCH, L2O_TUNE_SBATCH, L2O_EVALUATE_SBATCH, L2O_ANALYZE_SBATCH (e.g.
# L2O_EVALUATE_SBATCH="--ntasks=16"). The jobs inherit this environment (L2O_BIN, L2O_SET, ...).
set -euo pipefail
export L2O_ROOT="${L2O_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
profile=paper
methods=()
tune=1
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="${2:?--profile needs paper or workstation}"; shift 2 ;;
    --meta-train) IFS=',' read -r -a methods <<<"${2:?--meta-train needs a method list, e.g. l2l}"; shift 2 ;;
    --no-tune) tune=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "submit_paper: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
command -v sbatch >/dev/null || { echo "submit_paper: sbatch not found; outside SLURM run the jobs/*.sbatch scripts with bash (jobs/README.md)" >&2; exit 2; }
export L2O_PROFILE="$profile"
export L2O_CONFIG_DIR="${L2O_CONFIG_DIR:-$L2O_ROOT/config/$profile}"
export L2O_RESULTS="${L2O_RESULTS:-$L2O_ROOT/results/$(basename "$L2O_CONFIG_DIR")}"
[ -d "$L2O_CONFIG_DIR" ] || { echo "submit_paper: no config directory $L2O_CONFIG_DIR (--profile paper or workstation)" >&2; exit 2; }
figures=$(find "$L2O_CONFIG_DIR" -maxdepth 1 -name 'fig*.toml' | wc -l)
[ "$figures" -gt 0 ] || { echo "submit_paper: no fig*.toml in $L2O_CONFIG_DIR" >&2; exit 2; }
for method in "${methods[@]}"; do
  [ -f "$L2O_CONFIG_DIR/meta_train_$method.toml" ] || { echo "submit_paper: no $L2O_CONFIG_DIR/meta_train_$method.toml for --meta-train $method" >&2; exit 2; }
done
[ $tune = 1 ] || [ -f "$L2O_RESULTS/tuned_fine.h5" ] || { echo "submit_paper: --no-tune needs $L2O_RESULTS/tuned_fine.h5" >&2; exit 2; }
logs="$L2O_RESULTS/logs"
mkdir -p "$logs"
cd "$L2O_ROOT"

# submit NAME STAGE_OPTIONS DEPENDENCY SCRIPT [ARGS]: prints "NAME <id>", returns the id in $job.
submit() {
  local name=$1 stage_options=$2 dependency=$3
  shift 3
  local options=(--parsable --job-name="l2o-$name")
  [ -n "$dependency" ] && options+=(--dependency="afterok:$dependency" --kill-on-invalid-dep=yes)
  # shellcheck disable=SC2206  # the option strings are meant to split into words
  options+=(${L2O_SBATCH:-} $stage_options)
  job=$(sbatch "${options[@]}" "$@")
  job=${job%%;*}  # --parsable prints "id[;cluster]"
  echo "$name $job"
}

dependencies=()
learned=()
for method in "${methods[@]}"; do
  submit "meta_train_$method" "--output=$logs/%x-%j.out ${L2O_META_TRAIN_SBATCH:-}" "" \
    jobs/meta_train.sbatch "$method"
  dependencies+=("$job")
  learned+=("$L2O_RESULTS/${method}_model.h5")
done
if [ $tune = 1 ]; then
  submit tune "--output=$logs/%x-%j.out ${L2O_TUNE_SBATCH:-}" "" jobs/tune.sbatch
  dependencies+=("$job")
fi
# The evaluate jobs see the freshly trained models through L2O_LEARNED.
[ ${#methods[@]} -gt 0 ] && export L2O_LEARNED="${learned[*]}"
deps=$(IFS=:; echo "${dependencies[*]}")
submit evaluate "--array=0-$((figures - 1)) --output=$logs/%x-%A_%a.out ${L2O_EVALUATE_SBATCH:-}" \
  "$deps" jobs/evaluate.sbatch
submit analyze "--output=$logs/%x-%j.out ${L2O_ANALYZE_SBATCH:-}" "$job" jobs/analyze.sbatch
echo "submit_paper: chain submitted; results in $L2O_RESULTS, logs in $logs (squeue to follow)" >&2
