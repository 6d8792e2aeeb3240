#pragma once
// `l2o tune`: grid search of the hand-designed optimizers on the training task ([task]); every
// curve and the chosen setting per optimizer to HDF5 (paper §4; docs/hdf5-layout.md).
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"

namespace l2o {

/// Runs the tuning sweep; returns the process exit code.
int run_tune_command(const RunOptions& options, const MpiSession& mpi);

}  // namespace l2o
