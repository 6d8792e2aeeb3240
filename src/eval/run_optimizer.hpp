#pragma once
// One run of an optimizer on a task: the harness that draws a fresh minibatch per iteration
// (paper §4's x-axis) and records the true objective, the minibatch objective and the cost.
#include <cstdint>
#include <functional>
#include <vector>

#include "objective/mlp_task.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// What one run records.
struct RunRecord {
  std::vector<std::int64_t> recorded_iterations;  ///< iterations t at which f(x^(t)) was taken
  std::vector<double> true_objective;             ///< f(x^(t)) on the full training set
  std::vector<double> minibatch_objective;        ///< per iteration: minibatch loss at x^(t)
  std::vector<std::int64_t> evaluations;          ///< per iteration: oracle calls
  std::int64_t diverged_at = -1;  ///< first t with non-finite f or f > 10 f(x^(0)); -1 if none
  double wall_seconds = 0.0;      ///< optimizer and oracle time (true objective excluded)
};

/// Called after every recorded true objective: (iteration, true objective).
using ProgressCallback = std::function<void(std::int64_t, double)>;

/// Runs `optimizer` for `iterations` iterations from the seeded initial point. Streams: the
/// initial point from (seed, "init", group), minibatches from (seed, "minibatch", epoch).
/// The true objective is recorded every `record_every` iterations and at the last. A diverged
/// run stops at the divergence; later entries are absent (not NaN-filled).
RunRecord run_optimizer(const MlpTask& task, Optimizer& optimizer, std::uint64_t seed,
                        std::int64_t iterations, std::int64_t record_every,
                        const ProgressCallback& progress = {});

}  // namespace l2o
