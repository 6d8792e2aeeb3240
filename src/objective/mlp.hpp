#pragma once
// The base learner: a fully connected net input -> hidden... -> classes with ReLU (or tanh,
// sigmoid) hidden units and softmax cross-entropy, whose parameters live in one contiguous vector
// (Li & Malik 2017 §4).
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "objective/activation.hpp"

namespace l2o {

/// One coordinate group of the parameter vector: a weight matrix or a bias vector
/// (gps-spec.md §1.1). Learned optimizers act per group and recognise groups by role.
struct ParameterGroup {
  std::string role;  ///< "layer<k>.weights" or "layer<k>.biases", k = 1..layers
  int layer = 0;     ///< 1-based layer index
  bool is_bias = false;
  Eigen::Index offset = 0;  ///< first coordinate in the parameter vector
  Eigen::Index size = 0;    ///< number of coordinates
  int rows = 0,
      cols = 0;  ///< weights: out x in (PyTorch nn.Linear layout, row-major); biases: out x 1
};

/// Activations and gradients of one forward/backward pass, sized on first use and reused.
struct MlpWorkspace {
  std::vector<Eigen::MatrixXd> pre_activations;  ///< per layer: batch x out
  std::vector<Eigen::MatrixXd> activations;      ///< per hidden layer: batch x out
  Eigen::MatrixXd delta;                         ///< batch x out of the current layer
  Eigen::MatrixXd delta_below;                   ///< batch x in of the current layer
  Eigen::MatrixXd gathered_inputs;               ///< batch x input_dim (minibatch rows)
  std::vector<int> gathered_labels;              ///< batch labels (minibatch rows)
};

/// Architecture and oracles of the MLP. Stateless: parameters are passed in.
class Mlp {
 public:
  /// A net with `hidden_sizes` hidden layers of `activation` units; `l2` adds 0.5 * l2 * |W|^2
  /// over weight matrices only (biases are not decayed).
  Mlp(int input_dim, std::vector<int> hidden_sizes, int num_classes, double l2 = 0.0,
      Activation activation = Activation::relu);

  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  [[nodiscard]] const std::vector<ParameterGroup>& groups() const { return groups_; }
  [[nodiscard]] int input_dim() const { return sizes_.front(); }
  [[nodiscard]] int num_classes() const { return sizes_.back(); }
  [[nodiscard]] const std::vector<int>& layer_sizes() const { return sizes_; }
  [[nodiscard]] double l2() const { return l2_; }
  [[nodiscard]] Activation activation() const { return activation_; }
  /// "48-48-10" style name of the architecture.
  [[nodiscard]] std::string architecture() const;

  /// Initial parameters: every weight and bias of layer k uniform in +-1/sqrt(fan_in_k), as
  /// PyTorch's nn.Linear default; group g drawn from stream (seed, "init", g).
  [[nodiscard]] Eigen::VectorXd initial_parameters(std::uint64_t seed) const;

  /// Sum over the rows of `inputs` of the cross-entropy loss, and (if `gradient_sum` is not
  /// null) adds the gradient of that sum to it. No L2 term; callers add it (add_l2).
  double sum_loss(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                  const Eigen::Ref<const Eigen::MatrixXd>& inputs, const int* labels,
                  double* gradient_sum, MlpWorkspace& workspace) const;

  /// Adds the L2 penalty's value (returned) and gradient (into `gradient`, if not null).
  double add_l2(const Eigen::Ref<const Eigen::VectorXd>& parameters, double* gradient) const;

 private:
  std::vector<int> sizes_;  ///< input, hidden..., classes
  double l2_;
  Activation activation_;
  std::vector<ParameterGroup> groups_;
  Eigen::Index dimension_ = 0;
};

}  // namespace l2o
