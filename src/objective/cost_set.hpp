#pragma once
// The cost set D_c of meta-training (gps-spec.md §1.1): the full training set by default, or a
// fixed random subset of N_c examples when the true objective f would dominate the run time.
#include <cstdint>

#include "objective/mlp_task.hpp"

namespace l2o {

/// The task restricted to N_c = `examples` training examples drawn without replacement from
/// stream (seed, "cost-set") and kept in their original order; `task` itself (a shared copy) if
/// `examples` is 0 or at least the training set's size. Same MLP and minibatch size.
MlpTask cost_set_task(const MlpTask& task, std::int64_t examples, std::uint64_t seed);

}  // namespace l2o
