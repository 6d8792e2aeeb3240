#pragma once
// The meta-loss the ES local optimizer minimises (issue 19 item 1): the mean true objective over
// the horizon on the cost set D_c (gps-spec.md §1.1), taken every `stride` steps like the initial
// controller's score (§11): (1/K) sum_{k=1..K} f(x^(k stride)), K = horizon / stride.
#include <cstdint>

#include "objective/mlp_task.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// Runs `optimizer` for `horizon` steps on `task` from the initial point and minibatch sequence of
/// `rollout_seed` and returns the mean of f on `cost_set` at t = stride, 2 stride, ... <= horizon.
/// A run that diverges (f non-finite or > 10 f(x^(0)), the harness's rule) stops there and its
/// remaining terms count as 10 f(x^(0)), so a diverging member is ranked last but finitely.
double es_meta_loss(const MlpTask& task, const MlpTask& cost_set, Optimizer& optimizer,
                    std::uint64_t rollout_seed, int horizon, int stride);

}  // namespace l2o
