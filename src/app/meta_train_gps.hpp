#pragma once
// `l2o meta-train --method gps`: guided policy search (gps-spec.md §11-§12) on the training task,
// on every MPI rank (gps-spec.md §14: rollouts, group fits, policy-gradient blocks and evaluation
// rollouts are spread over the ranks, every rank holds the full state, rank 0 writes the files; the
// results are the same for any rank count; gps_iteration.hpp). Starts from the initial controller
// or resumes meta_train.checkpoint, runs gps.iterations iterations with a progress line each,
// checkpoints after every iteration, stops after the current iteration on SIGTERM/SIGUSR1 (exit
// kExitStopped), and writes the "psd" model (gps_model_file.hpp) to meta_train.model whenever pi's
// evaluation score improves.
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"
#include "io/config.hpp"

namespace l2o {

/// Runs GPS meta-training under `config` (meta_train.method = "gps"); returns the exit code
/// (0 done, kExitStopped after a stop request). A collective: every rank of `mpi` calls it.
int run_gps_meta_train(const Config& config, const RunOptions& options, const MpiSession& mpi,
                       bool resume);

}  // namespace l2o
