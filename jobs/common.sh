# Shared set-up of the jobs/*.sbatch scripts (sourced, not run). It resolves, from the
# environment with defaults (jobs/README.md lists them):
#   l2o_root      the checkout (every relative path in a config is relative to it)
#   l2o_bin       the l2o executable                       L2O_BIN      (build/l2o)
#   l2o_configs   the experiment configs                   L2O_CONFIG_DIR (config/$L2O_PROFILE)
#   l2o_results   where outputs and logs go                L2O_RESULTS  (results/<config dir name>)
#   l2o_ntasks    MPI ranks      SLURM_NTASKS, else L2O_NTASKS, else the script's default
#   l2o_threads   OpenMP threads SLURM_CPUS_PER_TASK, else L2O_THREADS, else the script's default
#                 -> OMP_NUM_THREADS
# and defines l2o_command (how l2o runs on those ranks: srun under SLURM, scripts/mpirun.sh
# outside), l2o_launch_stoppable and l2o_exit_stopped (running it with the graceful stop and the
# requeue every l2o job has: meta-train, tune, evaluate), and l2o_sweep_temporaries.
set -euo pipefail

# L2O_PROFILE picks config/<profile>/ and results/<profile>/: "paper" inside a SLURM job (the
# cluster run), "workstation" outside (a 2-core machine).
if [ -n "${SLURM_JOB_ID:-}" ]; then
  l2o_profile="${L2O_PROFILE:-paper}"
else
  l2o_profile="${L2O_PROFILE:-workstation}"
fi
l2o_bin="${L2O_BIN:-$l2o_root/build/l2o}"
l2o_configs="${L2O_CONFIG_DIR:-$l2o_root/config/$l2o_profile}"
l2o_results="${L2O_RESULTS:-$l2o_root/results/$(basename "$l2o_configs")}"
l2o_python="${L2O_PYTHON:-/usr/bin/python3}"  # Debian's python3 has h5py (environment.md §9)

[ -x "$l2o_bin" ] || {
  echo "jobs: no l2o executable at $l2o_bin; build it (scripts/build.sh) or set L2O_BIN" >&2
  exit 2
}
[ -d "$l2o_configs" ] || {
  echo "jobs: no config directory $l2o_configs; set L2O_CONFIG_DIR or L2O_PROFILE" >&2
  exit 2
}
mkdir -p "$l2o_results"
# Absolute paths (relative ones are taken from where the script was started), then work from the
# checkout, against which the configs' own relative paths resolve.
l2o_bin=$(realpath "$l2o_bin") l2o_configs=$(realpath "$l2o_configs") l2o_results=$(realpath "$l2o_results")
cd "$l2o_root"

# l2o_layout DEFAULT_NTASKS DEFAULT_THREADS: ranks and threads of this job; OMP_NUM_THREADS follows
# the CPUs SLURM gave each task, so ranks x threads never oversubscribe the allocation.
l2o_layout() {
  l2o_ntasks="${SLURM_NTASKS:-${L2O_NTASKS:-$1}}"
  l2o_threads="${SLURM_CPUS_PER_TASK:-${L2O_THREADS:-$2}}"
  export OMP_NUM_THREADS="$l2o_threads"
}

# Extra `--set key=value` overrides for every l2o run of the chain, ';'-separated in L2O_SET
# (e.g. L2O_SET='evaluate.seeds=2;evaluate.record_every=20'). They come after the script's own.
l2o_user_overrides=()
if [ -n "${L2O_SET:-}" ]; then
  IFS=';' read -r -a l2o_assignments <<<"$L2O_SET"
  for assignment in "${l2o_assignments[@]}"; do
    [ -n "$assignment" ] && l2o_user_overrides+=(--set "$assignment")
  done
fi

# l2o_command ARGS...: sets the array l2o_cmd to the command line that runs l2o ARGS on l2o_ntasks
# ranks x l2o_threads threads. Inside a SLURM job srun starts the ranks (pmix is the plugin
# Debian's OpenMPI needs, environment.md §7; other clusters may set L2O_SRUN_MPI);
# L2O_LAUNCHER=mpirun uses scripts/mpirun.sh there too. Outside SLURM: scripts/mpirun.sh.
l2o_command() {
  local launcher="${L2O_LAUNCHER:-}"
  [ -z "$launcher" ] && { [ -n "${SLURM_JOB_ID:-}" ] && launcher=srun || launcher=mpirun; }
  case "$launcher" in
    # srun does not inherit --cpus-per-task from sbatch since Slurm 22.05: pass it explicitly.
    srun) l2o_cmd=(srun --mpi="${L2O_SRUN_MPI:-pmix}" --ntasks="$l2o_ntasks"
                   --cpus-per-task="$l2o_threads" "$l2o_bin" "$@") ;;
    mpirun) l2o_cmd=("$l2o_root/scripts/mpirun.sh" -np "$l2o_ntasks" "$l2o_bin" "$@") ;;
    *) echo "jobs: L2O_LAUNCHER='$launcher' is not srun or mpirun" >&2; exit 2 ;;
  esac
  echo "jobs: $(date -u +%FT%TZ) l2o $1 on $l2o_ntasks rank(s) x $l2o_threads thread(s) ($launcher)" >&2
}

# l2o_launch_stoppable NAME ARGS...: runs l2o ARGS as l2o_command lays it out and sets
# l2o_status to its exit code. The launcher runs in the background so that this shell can take
# SIGUSR1 (SLURM's --signal=B:USR1@<seconds> before the walltime) or SIGTERM (scancel,
# pre-emption) -- bash runs a trap only between commands -- and pass it on to the launcher as
# SIGUSR1, the graceful stop; srun and mpirun forward it to every rank. l2o then saves its state
# (checkpoint or progress file) and exits 75. NAME prefixes the log lines.
l2o_launch_stoppable() {
  l2o_stop_name=$1
  shift
  l2o_command "$@"
  "${l2o_cmd[@]}" &
  l2o_launcher=$!
  trap 'l2o_stop_requested SIGUSR1' USR1
  trap 'l2o_stop_requested SIGTERM' TERM
  # wait returns 128+N both when a trap interrupts it and when the launcher died of signal N: wait
  # again while the launcher lives; once it is gone, one more wait collects its real status.
  local again
  while true; do
    l2o_status=0
    wait "$l2o_launcher" || l2o_status=$?
    [ "$l2o_status" -gt 128 ] || break
    kill -0 "$l2o_launcher" 2>/dev/null && continue
    again=0
    wait "$l2o_launcher" || again=$?  # 127: its status was already collected
    [ "$again" -eq 127 ] || l2o_status=$again
    break
  done
  trap - USR1 TERM
}

l2o_stop_requested() {
  echo "$l2o_stop_name: $(date -u +%FT%TZ) got $1, asking l2o to save and stop" >&2
  kill -USR1 "$l2o_launcher" 2>/dev/null || true
}

# l2o_exit_stopped NAME SAVED: after l2o exited 75 (stopped, its state saved in the file SAVED).
# Inside SLURM: requeues the job (scontrol requeue; the next start continues with --resume) and
# exits 0, up to L2O_MAX_RESTARTS (default 50) restarts. Otherwise, or if the requeue is refused,
# exits 75: run the script again to continue.
l2o_exit_stopped() {
  if [ -n "${SLURM_JOB_ID:-}" ] && [ "${SLURM_RESTART_COUNT:-0}" -lt "${L2O_MAX_RESTARTS:-50}" ]; then
    echo "$1: $(date -u +%FT%TZ) $2 written; requeueing job $SLURM_JOB_ID" >&2
    scontrol requeue "$SLURM_JOB_ID" && exit 0
    echo "$1: scontrol requeue failed; resubmit this script to continue from $2" >&2
  else
    echo "$1: stopped with $2 saved; run again to continue" >&2
  fi
  exit 75
}

# l2o_sweep_temporaries FILE...: removes FILE.tmp.<pid> (and, for a directory FILE, the
# temporaries inside it) left by an earlier start of this job that was killed while writing
# (SIGKILL, node failure): l2o writes every output under such a name and renames it when complete
# (docs/reliability.md), and a killed writer cannot clean up. Safe because no other process writes
# these files now: a requeued job starts only after its previous start ended, and the chain's jobs
# that share outputs run one after another (afterok).
l2o_sweep_temporaries() {
  local file stale
  for file in "$@"; do
    if [ -d "$file" ]; then
      mapfile -t stale < <(find "$file" -maxdepth 1 -name '*.tmp.*' -type f)
    else
      mapfile -t stale < <(compgen -G "$file.tmp.*" || true)
    fi
    [ ${#stale[@]} -eq 0 ] && continue
    echo "jobs: removing ${#stale[@]} temporary file(s) of a killed earlier run: ${stale[*]}" >&2
    rm -f -- "${stale[@]}"
  done
}

# l2o_figure_configs: the evaluation configs (one per paper figure), fig*.toml in name order; the
# evaluate array's task k runs the k-th.
l2o_figure_configs() {
  find "$l2o_configs" -maxdepth 1 -name 'fig*.toml' | LC_ALL=C sort
}
