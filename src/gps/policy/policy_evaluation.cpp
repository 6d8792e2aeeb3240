#include "gps/policy/policy_evaluation.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "gps/policy/predicted_step_descent.hpp"
#include "util/random_stream.hpp"

namespace l2o {

std::uint64_t gps_evaluation_seed(std::uint64_t seed, int rollout) {
  return RandomStream(seed, "gps-evaluation", {static_cast<std::uint64_t>(rollout)}).next_u64();
}

namespace {

/// (1/T) sum_{t=1}^T f(x^(t)) of one test-time rollout (§15), +inf on divergence.
template <class Scalar>
double evaluation_rollout(const MlpTask& task, const MlpTask& cost_set,
                          std::span<LstmPolicy<Scalar>> policies, int horizon,
                          std::uint64_t rollout_seed, FeatureSet features) {
  MinibatchSampler sampler = task.sampler(rollout_seed);
  Eigen::VectorXd iterate = task.mlp().initial_parameters(rollout_seed);
  Eigen::VectorXd gradient(task.dimension());
  MlpWorkspace workspace;
  std::vector<LstmPolicy<Scalar>*> group_policies;
  for (LstmPolicy<Scalar>& policy : policies) group_policies.push_back(&policy);
  PredictedStepDescent<Scalar> descent(task.mlp().groups(), std::move(group_policies), features);
  constexpr double kDiverged = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  for (int t = 0; t < horizon; ++t) {
    const double loss = task.batch_objective(iterate, sampler.batch(t), gradient.data(), workspace);
    if (!std::isfinite(loss) || !gradient.allFinite()) return kDiverged;
    const Eigen::VectorXd& steps = descent.steps(loss, gradient, iterate);
    if (!steps.allFinite()) return kDiverged;
    iterate += steps;
    const double f = cost_set.true_objective(iterate);
    if (!std::isfinite(f)) return kDiverged;
    sum += f;
  }
  return sum / horizon;
}

}  // namespace

template <class Scalar>
double evaluate_policy_rollout(const MlpTask& task, const MlpTask& cost_set,
                               std::span<LstmPolicy<Scalar>> policies, int horizon, int rollout,
                               std::uint64_t seed, FeatureSet features) {
  if (policies.size() != task.mlp().groups().size()) {
    throw std::invalid_argument("evaluate_policies: need one policy per coordinate group");
  }
  if (horizon < 1 || rollout < 0) {
    throw std::invalid_argument("evaluate_policies: need horizon >= 1 and rollout >= 0");
  }
  return evaluation_rollout(task, cost_set, policies, horizon, gps_evaluation_seed(seed, rollout),
                            features);
}

PolicyEvaluation policy_evaluation(std::vector<double> rollout_scores) {
  if (rollout_scores.empty()) throw std::invalid_argument("policy_evaluation: no rollout scores");
  PolicyEvaluation result;
  double sum = 0.0;
  for (const double score : rollout_scores) sum += score;
  result.score = sum / static_cast<double>(rollout_scores.size());
  result.rollout_scores = std::move(rollout_scores);
  return result;
}

template <class Scalar>
PolicyEvaluation evaluate_policies(const MlpTask& task, const MlpTask& cost_set,
                                   std::span<LstmPolicy<Scalar>> policies, int horizon,
                                   int rollouts, std::uint64_t seed, FeatureSet features) {
  if (rollouts < 1) throw std::invalid_argument("evaluate_policies: rollouts must be >= 1");
  std::vector<double> scores;
  for (int e = 0; e < rollouts; ++e) {
    scores.push_back(evaluate_policy_rollout(task, cost_set, policies, horizon, e, seed, features));
  }
  return policy_evaluation(std::move(scores));
}

template double evaluate_policy_rollout(const MlpTask&, const MlpTask&,
                                        std::span<LstmPolicy<float>>, int, int, std::uint64_t,
                                        FeatureSet);
template double evaluate_policy_rollout(const MlpTask&, const MlpTask&,
                                        std::span<LstmPolicy<double>>, int, int, std::uint64_t,
                                        FeatureSet);
template PolicyEvaluation evaluate_policies(const MlpTask&, const MlpTask&,
                                            std::span<LstmPolicy<float>>, int, int, std::uint64_t,
                                            FeatureSet);
template PolicyEvaluation evaluate_policies(const MlpTask&, const MlpTask&,
                                            std::span<LstmPolicy<double>>, int, int, std::uint64_t,
                                            FeatureSet);

}  // namespace l2o
