#include "gps/policy_evaluation.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "gps/feature_history.hpp"
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
  const std::vector<ParameterGroup>& groups = task.mlp().groups();
  const Eigen::Index dimension = task.dimension();
  MinibatchSampler sampler = task.sampler(rollout_seed);
  Eigen::VectorXd iterate = task.mlp().initial_parameters(rollout_seed);
  Eigen::VectorXd gradient(dimension);
  Eigen::MatrixXd observations(dimension, kObservationDim);
  Eigen::VectorXd steps(dimension);
  FeatureHistory history(dimension,
                         features);  // keeps x^(t-1), x^(t-2), f-hat_{t-1}, grad_{t-1} (§2.3)
  MlpWorkspace workspace;
  std::vector<LstmState<Scalar>> memories;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    memories.push_back(policies[g].initial_memory(groups[g].size));
  }
  constexpr double kDiverged = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  for (int t = 0; t < horizon; ++t) {
    const double loss = task.batch_objective(iterate, sampler.batch(t), gradient.data(), workspace);
    if (!std::isfinite(loss) || !gradient.allFinite()) return kDiverged;
    history.push(loss, gradient, iterate);
    history.observation_features(observations);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      auto group_steps = steps.segment(groups[g].offset, groups[g].size);
      policies[g].step(observations.middleRows(groups[g].offset, groups[g].size), memories[g],
                       group_steps);
    }
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
PolicyEvaluation evaluate_policies(const MlpTask& task, const MlpTask& cost_set,
                                   std::span<LstmPolicy<Scalar>> policies, int horizon,
                                   int rollouts, std::uint64_t seed, FeatureSet features) {
  if (policies.size() != task.mlp().groups().size()) {
    throw std::invalid_argument("evaluate_policies: need one policy per coordinate group");
  }
  if (horizon < 1 || rollouts < 1) {
    throw std::invalid_argument("evaluate_policies: horizon and rollouts must be >= 1");
  }
  PolicyEvaluation result;
  double sum = 0.0;
  for (int e = 0; e < rollouts; ++e) {
    result.rollout_scores.push_back(evaluation_rollout(task, cost_set, policies, horizon,
                                                       gps_evaluation_seed(seed, e), features));
    sum += result.rollout_scores.back();
  }
  result.score = sum / rollouts;
  return result;
}

template PolicyEvaluation evaluate_policies(const MlpTask&, const MlpTask&,
                                            std::span<LstmPolicy<float>>, int, int, std::uint64_t,
                                            FeatureSet);
template PolicyEvaluation evaluate_policies(const MlpTask&, const MlpTask&,
                                            std::span<LstmPolicy<double>>, int, int, std::uint64_t,
                                            FeatureSet);

}  // namespace l2o
