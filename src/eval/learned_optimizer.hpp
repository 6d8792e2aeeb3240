#pragma once
// Learned optimizers as ordinary harness optimizers (gps-spec.md §15, §16.2 "Test time"): the
// model file written by `l2o meta-train` (docs/hdf5-layout.md, "/model") names its method, which
// selects the loader.
#include <memory>
#include <string>

#include "optim/optimizer.hpp"

namespace l2o {

/// The optimizer stored in the model file `path`, dispatched on /model@method: "l2l"
/// (L2lOptimizer) or "psd" (PsdOptimizer, the GPS policies; it runs through start(groups)) or "es"
/// (EsOptimizer, psi of the ES path). Throws InputError with one line naming the file for: a
/// missing file, a file that is not HDF5 or not an l2o model, a meta-training checkpoint given
/// instead of its model, an unknown method, or a model with missing parts or wrong shapes.
std::unique_ptr<Optimizer> load_learned_optimizer(const std::string& path);

}  // namespace l2o
