#include "gps/policy/policy_training.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "gps/policy/policy_gradient_reduction.hpp"
#include "optim/hyperparameters.hpp"
#include "util/random_stream.hpp"

namespace l2o {

void PolicyTrainingParams::check() const {
  constexpr const char* owner = "policy_training";
  require(minibatch_sequences >= 1, owner, "minibatch_sequences", ">= 1", minibatch_sequences);
  require(max_steps >= 0, owner, "max_steps", ">= 0", max_steps);
  require(max_epochs >= 0, owner, "max_epochs", ">= 0", max_epochs);
  require(std::isfinite(gradient_clip_norm) && gradient_clip_norm > 0.0, owner,
          "gradient_clip_norm", "finite and > 0", gradient_clip_norm);
  require(gradient_block_sequences >= 1, owner, "gradient_block_sequences", ">= 1",
          gradient_block_sequences);
}

void PolicyTrainingSet::add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& rollout_observations,
                                    const Eigen::Ref<const Eigen::MatrixXd>& rollout_targets) {
  if (rollout_observations.rows() != rollout_targets.rows() || rollout_targets.cols() < 1 ||
      rollout_observations.cols() % rollout_targets.cols() != 0 ||
      (sequences() > 0 && rollout_observations.cols() != observations.cols()) ||
      (sequences() > 0 && rollout_targets.cols() != targets.cols())) {
    throw std::invalid_argument(
        "PolicyTrainingSet::add_rollout: observations must be P x mT and "
        "targets P x T with the set's m and T");
  }
  const Eigen::Index first = sequences(), added = rollout_targets.rows();
  observations.conservativeResize(first + added, rollout_observations.cols());
  targets.conservativeResize(first + added, rollout_targets.cols());
  observations.bottomRows(added) = rollout_observations;
  targets.bottomRows(added) = rollout_targets;
}

void PolicyTrainingSet::check() const {
  if (sequences() < 1 || targets.cols() < 1 || observations.rows() != sequences() ||
      observations.cols() % targets.cols() != 0 || step_weights.size() != targets.cols()) {
    throw std::invalid_argument(
        "PolicyTrainingSet: need S >= 1 sequences, observations S x mT, "
        "targets S x T and T step weights");
  }
  if (!observations.allFinite() || !targets.allFinite() || !step_weights.allFinite()) {
    throw std::invalid_argument("PolicyTrainingSet: non-finite observation, target or weight");
  }
}

double clip_gradient_norm(Eigen::VectorXd& gradient, double max_norm) {
  const double norm = gradient.norm();
  if (norm > max_norm) gradient *= max_norm / norm;
  return norm;
}

namespace {

PolicyTrainingParams checked(const PolicyTrainingParams& params) {
  params.check();
  return params;
}

}  // namespace

template <class Scalar>
PolicyTrainer<Scalar>::PolicyTrainer(LstmPolicy<Scalar>& policy, const PolicyTrainingSet& data,
                                     const PolicyTrainingParams& params)
    : policy_(policy),
      data_(data),
      params_(checked(params)),
      loss_(policy.shape(), params.gradient_block_sequences, policy.params().engine) {
  data_.check();
  inputs_ = policy_.normalised_inputs(data_.observations);
}

template <class Scalar>
int PolicyTrainer<Scalar>::steps_per_update() const {
  const Eigen::Index batches =
      (data_.sequences() + params_.minibatch_sequences - 1) / params_.minibatch_sequences;
  return static_cast<int>(std::min<Eigen::Index>(params_.max_steps, params_.max_epochs * batches));
}

template <class Scalar>
double PolicyTrainer<Scalar>::minibatch_gradient(std::span<const Eigen::Index> sequences,
                                                 Eigen::VectorXd& gradient,
                                                 double& norm_before_clip) {
  const auto size = static_cast<Eigen::Index>(sequences.size());
  if (size == 0) throw std::invalid_argument("PolicyTrainer: empty minibatch");
  minibatch_.inputs.resize(size, inputs_.cols());
  minibatch_.targets.resize(size, data_.targets.cols());
  for (Eigen::Index position = 0; position < size; ++position) {
    const Eigen::Index s = sequences[position];
    if (s < 0 || s >= data_.sequences()) {
      throw std::invalid_argument("PolicyTrainer: sequence index " + std::to_string(s) +
                                  " outside the training set");
    }
    minibatch_.inputs.row(position) = inputs_.row(s);
    minibatch_.targets.row(position) = data_.targets.row(s);
  }
  // This rank's blocks, then every block in block order (one process: all of them, no MPI).
  const Eigen::Index blocks = loss_.block_count(size);
  loss_.block_gradients(policy_.compute_weights(), minibatch_, data_.step_weights,
                        owned_blocks(blocks), owned_results_);
  const std::vector<PolicyBlockGradient> all_blocks =
      allgather_block_gradients(std::move(owned_results_), blocks);
  const double loss = combine_block_gradients(all_blocks, size, data_.targets.cols(), gradient);
  norm_before_clip = clip_gradient_norm(gradient, params_.gradient_clip_norm);
  return loss;
}

template <class Scalar>
PolicyUpdateReport PolicyTrainer<Scalar>::update(const PolicyUpdateKey& key) {
  const int steps = steps_per_update();
  const Eigen::Index count = data_.sequences();
  const auto batch = static_cast<Eigen::Index>(params_.minibatch_sequences);
  PolicyUpdateReport report;
  std::vector<Eigen::Index> order(static_cast<std::size_t>(count));
  Eigen::Index next = count;  // position in the current epoch's order; count = epoch exhausted
  std::uint64_t epoch = 0;
  for (int step = 0; step < steps; ++step) {
    if (next >= count) {  // a new epoch: a fresh permutation, sampling without replacement
      std::iota(order.begin(), order.end(), Eigen::Index{0});
      RandomStream stream(key.seed, "policy-minibatch", {key.iteration, key.group, epoch++});
      stream.shuffle(order);
      next = 0;
    }
    const Eigen::Index size = std::min(batch, count - next);
    double norm = 0.0;
    const double loss = minibatch_gradient(
        std::span<const Eigen::Index>(order.data() + next, static_cast<std::size_t>(size)),
        gradient_, norm);
    next += size;
    if (!std::isfinite(loss) || !std::isfinite(norm)) {  // never step on a NaN (§3.3 spirit)
      throw std::runtime_error("policy update: non-finite loss or gradient at GPS iteration " +
                               std::to_string(key.iteration) + ", group " +
                               std::to_string(key.group) + ", step " + std::to_string(step));
    }
    policy_.apply_gradient(gradient_);
    report.step_losses.push_back(loss);
    report.gradient_norms.push_back(norm);
    if (norm > params_.gradient_clip_norm) ++report.clipped_steps;
  }
  if (steps > 0) {
    report.mean_loss = std::accumulate(report.step_losses.begin(), report.step_losses.end(), 0.0) /
                       static_cast<double>(steps);
  }
  return report;
}

template <class Scalar>
PolicyUpdateReport train_policy(LstmPolicy<Scalar>& policy, const PolicyTrainingSet& data,
                                const PolicyTrainingParams& params, const PolicyUpdateKey& key) {
  return PolicyTrainer<Scalar>(policy, data, params).update(key);
}

template class PolicyTrainer<float>;
template class PolicyTrainer<double>;
template PolicyUpdateReport train_policy<float>(LstmPolicy<float>&, const PolicyTrainingSet&,
                                                const PolicyTrainingParams&,
                                                const PolicyUpdateKey&);
template PolicyUpdateReport train_policy<double>(LstmPolicy<double>&, const PolicyTrainingSet&,
                                                 const PolicyTrainingParams&,
                                                 const PolicyUpdateKey&);

}  // namespace l2o
