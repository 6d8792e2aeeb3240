#pragma once
// `l2o train`: the base MLP trained by one hand-designed optimizer over several seeds,
// true-objective curves to HDF5 (the main job until meta-training exists).
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"

namespace l2o {

/// Runs the training job; returns the process exit code.
int run_train_command(const RunOptions& options, const MpiSession& mpi);

}  // namespace l2o
