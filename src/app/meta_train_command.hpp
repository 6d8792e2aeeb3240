#pragma once
// `l2o meta-train`: learns an optimizer on the training task ([task]) by the method of
// meta_train.method ("l2l": gps-spec.md §16; "gps": §12, meta_train_gps.hpp), checkpointing as it
// goes, and delivers the best validated optimizer as a small model file (docs/hdf5-layout.md).
#include <string>

#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"

namespace l2o {

/// Command-line options of meta-train beyond the shared run options.
struct MetaTrainOptions {
  std::string method;   ///< --method (empty: meta_train.method)
  bool resume = false;  ///< --resume: continue from meta_train.checkpoint
};

/// Runs meta-training; returns the exit code (0 done, kExitStopped after a stop request).
int run_meta_train_command(const RunOptions& options, const MetaTrainOptions& meta,
                           const MpiSession& mpi);

}  // namespace l2o
