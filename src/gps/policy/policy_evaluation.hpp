#pragma once
// Deterministic test-time rollouts of the global policies (gps-spec.md §15, used by §12 step 10):
// every coordinate of group g is moved by its group's LSTM from zero memory on the minibatch
// observations, x^(t+1)_j = x^(t)_j + sigma_a,g (w_o^T h_{j,t} + b_o), with no noise and no
// state features; the true objective is evaluated only for the score.
#include <cstdint>
#include <span>
#include <vector>

#include "gps/features/feature_set.hpp"
#include "gps/policy/lstm_policy.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// Seed of evaluation rollout `rollout`: stream (seed, "gps-evaluation", {rollout}), the same in
/// every GPS iteration (§12 step 10: fixed evaluation seeds).
std::uint64_t gps_evaluation_seed(std::uint64_t seed, int rollout);

/// Scores of the evaluation rollouts.
struct PolicyEvaluation {
  /// Per rollout: (1/T) sum_{t=1}^T f(x^(t)) on the cost set; +inf once f or a step is
  /// non-finite (a diverging policy gets the worst score instead of aborting the run).
  std::vector<double> rollout_scores;
  double score = 0.0;  ///< mean of rollout_scores (§12 step 10)
};

/// (1/T) sum_{t=1}^T f(x^(t)) of test-time rollout `rollout` alone (seed
/// gps_evaluation_seed(seed, rollout)), +inf on divergence: the unit evaluate_policies repeats,
/// and which a distributed caller spreads over ranks (gps-spec.md §14).
template <class Scalar>
double evaluate_policy_rollout(const MlpTask& task, const MlpTask& cost_set,
                               std::span<LstmPolicy<Scalar>> policies, int horizon, int rollout,
                               std::uint64_t seed, FeatureSet features);

/// The evaluation of per-rollout scores (in rollout order): their mean, summed in rollout order.
/// Throws std::invalid_argument if there are none.
PolicyEvaluation policy_evaluation(std::vector<double> rollout_scores);

/// Runs `rollouts` test-time rollouts of `horizon` steps on `task` (x^(0) =
/// initial_parameters(s), minibatches of sampler(s), s = gps_evaluation_seed(seed, e)) with
/// policies[g] acting on group g on the observations of `features`, f on `cost_set`. Throws
/// std::invalid_argument unless there is one policy per group.
template <class Scalar>
PolicyEvaluation evaluate_policies(const MlpTask& task, const MlpTask& cost_set,
                                   std::span<LstmPolicy<Scalar>> policies, int horizon,
                                   int rollouts, std::uint64_t seed, FeatureSet features);

}  // namespace l2o
