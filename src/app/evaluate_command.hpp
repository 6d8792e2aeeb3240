#pragma once
// `l2o evaluate`: the tuned optimizers on a list of tasks x seeds; every curve to HDF5
// (paper §4, Figs. 1-5; docs/hdf5-layout.md).
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"

namespace l2o {

/// Runs the evaluation sweep; returns the process exit code.
int run_evaluate_command(const RunOptions& options, const MpiSession& mpi);

}  // namespace l2o
