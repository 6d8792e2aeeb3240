#include "objective/mlp.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/random_stream.hpp"

namespace l2o {
namespace {

using ConstMatrixMap = Eigen::Map<const Eigen::MatrixXd>;
using MatrixMap = Eigen::Map<Eigen::MatrixXd>;

// a = sigma(z) elementwise.
void activate(Activation activation, const Eigen::MatrixXd& z, Eigen::MatrixXd& a) {
  switch (activation) {
    case Activation::relu:
      a = z.cwiseMax(0.0);
      return;
    case Activation::tanh:
      a = z.array().tanh();
      return;
    case Activation::sigmoid:
      // exp(-z) overflows to inf for z < -709, giving the limit 0 exactly.
      a = (1.0 + (-z.array()).exp()).inverse();
      return;
  }
}

// delta *= sigma'(z), from the pre-activation z (ReLU: 1 where z > 0) or the activation a
// (tanh' = 1 - a^2, sigmoid' = a (1 - a)).
void multiply_by_derivative(Activation activation, const Eigen::MatrixXd& z,
                            const Eigen::MatrixXd& a, Eigen::MatrixXd& delta) {
  switch (activation) {
    case Activation::relu:
      delta.array() *= (z.array() > 0.0).cast<double>();
      return;
    case Activation::tanh:
      delta.array() *= 1.0 - a.array().square();
      return;
    case Activation::sigmoid:
      delta.array() *= a.array() * (1.0 - a.array());
      return;
  }
}

}  // namespace

Mlp::Mlp(int input_dim, std::vector<int> hidden_sizes, int num_classes, double l2,
         Activation activation)
    : l2_(l2), activation_(activation) {
  if (input_dim < 1)
    throw InputError("task.input_dim must be >= 1, got " + std::to_string(input_dim));
  if (num_classes < 2) throw InputError("the data set must have >= 2 classes");
  if (!(l2 >= 0.0)) throw InputError("task.l2 must be >= 0");
  sizes_.push_back(input_dim);
  for (int h : hidden_sizes) {
    if (h < 1) throw InputError("task.hidden sizes must be >= 1, got " + std::to_string(h));
    sizes_.push_back(h);
  }
  sizes_.push_back(num_classes);
  for (std::size_t k = 1; k < sizes_.size(); ++k) {
    const int layer = static_cast<int>(k);
    ParameterGroup weights{
        "layer" + std::to_string(layer) + ".weights", layer,     false,        dimension_,
        Eigen::Index{sizes_[k]} * sizes_[k - 1],      sizes_[k], sizes_[k - 1]};
    dimension_ += weights.size;
    ParameterGroup biases{"layer" + std::to_string(layer) + ".biases",
                          layer,
                          true,
                          dimension_,
                          sizes_[k],
                          sizes_[k],
                          1};
    dimension_ += biases.size;
    groups_.push_back(weights);
    groups_.push_back(biases);
  }
}

std::string Mlp::architecture() const {
  std::string name;
  for (int s : sizes_) name += (name.empty() ? "" : "-") + std::to_string(s);
  return name;
}

Eigen::VectorXd Mlp::initial_parameters(std::uint64_t seed) const {
  Eigen::VectorXd parameters(dimension_);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto& group = groups_[g];
    const double bound = 1.0 / std::sqrt(static_cast<double>(sizes_[group.layer - 1]));
    RandomStream stream(seed, "init", {g});
    for (Eigen::Index i = 0; i < group.size; ++i)
      parameters[group.offset + i] = bound * (2.0 * stream.uniform() - 1.0);
  }
  return parameters;
}

double Mlp::sum_loss(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                     const Eigen::Ref<const Eigen::MatrixXd>& inputs, const int* labels,
                     double* gradient_sum, MlpWorkspace& workspace) const {
  const Eigen::Index batch = inputs.rows();
  const std::size_t layers = sizes_.size() - 1;
  workspace.pre_activations.resize(layers);
  workspace.activations.resize(layers);
  // Forward. A weight group is stored out x in row-major, i.e. W^T column-major (in x out),
  // so a layer is Z = A * W^T + 1 b^T with A batch x in.
  for (std::size_t l = 0; l < layers; ++l) {
    const auto& w = groups_[2 * l];
    const auto& b = groups_[2 * l + 1];
    const ConstMatrixMap weights_t(parameters.data() + w.offset, w.cols, w.rows);
    const Eigen::Map<const Eigen::RowVectorXd> bias(parameters.data() + b.offset, b.size);
    Eigen::MatrixXd& z = workspace.pre_activations[l];
    z.resize(batch, w.rows);
    if (l == 0)
      z.noalias() = inputs * weights_t;
    else
      z.noalias() = workspace.activations[l - 1] * weights_t;
    z.rowwise() += bias;
    if (l + 1 < layers) activate(activation_, z, workspace.activations[l]);
  }
  // Softmax cross-entropy with a stable log-sum-exp: log sum exp(z) = m + log sum exp(z - m).
  Eigen::MatrixXd& logits = workspace.pre_activations[layers - 1];
  Eigen::MatrixXd& delta = workspace.delta;
  delta.resize(batch, sizes_.back());
  double loss = 0.0;
  for (Eigen::Index i = 0; i < batch; ++i) {
    const int label = labels[i];
    const double top = logits.row(i).maxCoeff();
    delta.row(i) = (logits.row(i).array() - top).exp();
    const double total = delta.row(i).sum();
    loss += top + std::log(total) - logits(i, label);
    delta.row(i) /= total;   // softmax probabilities
    delta(i, label) -= 1.0;  // d(loss_i)/d(logits_i) = p - onehot
  }
  if (gradient_sum == nullptr) return loss;
  // Backward through the layers, accumulating into the gradient buffer.
  for (std::size_t l = layers; l-- > 0;) {
    const auto& w = groups_[2 * l];
    const auto& b = groups_[2 * l + 1];
    MatrixMap grad_weights_t(gradient_sum + w.offset, w.cols, w.rows);
    Eigen::Map<Eigen::RowVectorXd> grad_bias(gradient_sum + b.offset, b.size);
    if (l == 0)
      grad_weights_t.noalias() += inputs.transpose() * delta;
    else
      grad_weights_t.noalias() += workspace.activations[l - 1].transpose() * delta;
    grad_bias.noalias() += delta.colwise().sum();
    if (l == 0) break;
    const ConstMatrixMap weights_t(parameters.data() + w.offset, w.cols, w.rows);
    workspace.delta_below.resize(batch, w.cols);
    workspace.delta_below.noalias() = delta * weights_t.transpose();
    multiply_by_derivative(activation_, workspace.pre_activations[l - 1],
                           workspace.activations[l - 1], workspace.delta_below);
    delta.swap(workspace.delta_below);
  }
  return loss;
}

double Mlp::add_l2(const Eigen::Ref<const Eigen::VectorXd>& parameters, double* gradient) const {
  if (l2_ == 0.0) return 0.0;
  double penalty = 0.0;
  for (const auto& group : groups_) {
    if (group.is_bias) continue;
    const auto w = parameters.segment(group.offset, group.size);
    penalty += 0.5 * l2_ * w.squaredNorm();
    if (gradient != nullptr)
      Eigen::Map<Eigen::VectorXd>(gradient + group.offset, group.size) += l2_ * w;
  }
  return penalty;
}

}  // namespace l2o
