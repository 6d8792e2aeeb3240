#pragma once
// Graceful stop of a long run: SIGTERM (a scheduler cancelling or pre-empting a job) and SIGUSR1
// (SLURM's `--signal=USR1@<seconds>` pre-walltime warning) only set a flag; the run checks it at
// its next safe point (meta-training: the end of a meta-batch; tune and evaluate: the end of a
// round of runs), writes a checkpoint (or progress file) and exits with kExitStopped, so the job
// can be requeued with --resume.
namespace l2o {

/// Exit code of a run stopped by a signal after writing its checkpoint (sysexits EX_TEMPFAIL).
inline constexpr int kExitStopped = 75;

/// Installs the SIGTERM and SIGUSR1 handlers (idempotent).
void install_stop_request_handlers();

/// The signal number received since installation, or 0 if none.
[[nodiscard]] int stop_request_signal();

}  // namespace l2o
