#include "gps/policy/lstm_policy.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "optim/precomputed_gradient_oracle.hpp"
#include "util/random_stream.hpp"

namespace l2o {

void LstmPolicyParams::check() const {
  if (input_size < 1) {
    throw std::invalid_argument("LstmPolicyParams.input_size must be >= 1, got " +
                                std::to_string(input_size));
  }
  if (hidden_size < 1) {
    throw std::invalid_argument("LstmPolicyParams.hidden_size must be >= 1, got " +
                                std::to_string(hidden_size));
  }
  adam.check();
  engine.check();
}

LstmShape LstmPolicyParams::shape() const {
  return LstmShape{
      .input_size = input_size, .hidden_size = hidden_size, .num_layers = 1, .output_size = 1};
}

void PolicyConstants::check() const {
  normalisation.check();
  if (!std::isfinite(action_scale) || !(action_scale > 0.0)) {
    throw std::invalid_argument("PolicyConstants.action_scale must be finite and > 0");
  }
}

namespace {

LstmPolicyParams checked(const LstmPolicyParams& params) {
  params.check();
  return params;
}

}  // namespace

template <class Scalar>
LstmPolicy<Scalar>::LstmPolicy(const LstmPolicyParams& params, const PolicyConstants& constants,
                               std::uint64_t seed, std::uint64_t group)
    : params_(checked(params)),
      constants_(constants),
      weights_(params_.shape()),
      compute_weights_(params_.shape()),
      adam_(params_.adam),
      engine_(params_.shape(), params_.engine) {
  constants_.check();
  RandomStream stream(seed, "policy-init", {group});
  weights_.initialize(stream, LstmInit{});  // §8.1 defaults: U(+-1/sqrt(H)), forget +1, w_o = 0
  compute_weights_ = weights_.template cast<Scalar>();
  adam_.start(weights_.values().size());
}

template <class Scalar>
void LstmPolicy<Scalar>::set_weights(const Eigen::Ref<const Eigen::VectorXd>& values) {
  if (values.size() != weights_.values().size()) {
    throw std::invalid_argument("LstmPolicy::set_weights: " + std::to_string(values.size()) +
                                " values, expected " + std::to_string(weights_.values().size()));
  }
  weights_.values() = values;
  compute_weights_.values() = values.template cast<Scalar>();
}

template <class Scalar>
void LstmPolicy<Scalar>::apply_gradient(const Eigen::VectorXd& gradient) {
  PrecomputedGradientOracle oracle(gradient);
  adam_.step(weights_.values(), oracle);
  compute_weights_.values() = weights_.values().template cast<Scalar>();
}

template <class Scalar>
Eigen::MatrixXd LstmPolicy<Scalar>::teacher_forced_means(
    const Eigen::Ref<const Eigen::MatrixXd>& observations) {
  const Matrix inputs = normalised_inputs(observations);
  const Eigen::Index steps = inputs.cols() / params_.input_size;
  LstmState<Scalar> memory(shape(), inputs.rows());
  Matrix means(inputs.rows(), steps);
  engine_.forward_sequence(compute_weights_, inputs, memory, means);
  return means.template cast<double>();
}

template <class Scalar>
void LstmPolicy<Scalar>::step(const Eigen::Ref<const Eigen::MatrixXd>& observations,
                              LstmState<Scalar>& memory, Eigen::Ref<Eigen::VectorXd> raw_steps) {
  if (observations.cols() != params_.input_size || raw_steps.size() != observations.rows()) {
    throw std::invalid_argument("LstmPolicy::step: observations must be N x " +
                                std::to_string(params_.input_size) + " and raw_steps N");
  }
  constants_.normalisation.apply(observations, step_input_);
  step_output_.resize(observations.rows(), 1);
  engine_.step(compute_weights_, step_input_, memory, step_output_);
  raw_steps = constants_.action_scale * step_output_.col(0).template cast<double>();
}

template class LstmPolicy<float>;
template class LstmPolicy<double>;

}  // namespace l2o
