#pragma once
// The slow, obviously-correct twin of Mlp::sum_loss (style.md): scalar loops straight from the
// definitions, used only to test the fast Eigen implementation.
#include <cmath>
#include <vector>

#include "objective/mlp.hpp"

namespace l2o::test {

/// The hidden units' sigma(z) and sigma'(z), from their definitions.
inline double reference_activation(Activation activation, double z) {
  switch (activation) {
    case Activation::relu:
      return std::max(z, 0.0);
    case Activation::tanh:
      return std::tanh(z);
    case Activation::sigmoid:
      return 1.0 / (1.0 + std::exp(-z));
  }
  return 0.0;
}
inline double reference_derivative(Activation activation, double z) {
  switch (activation) {
    case Activation::relu:
      return z > 0.0 ? 1.0 : 0.0;
    case Activation::tanh:
      return 1.0 / (std::cosh(z) * std::cosh(z));
    case Activation::sigmoid:
      return std::exp(-z) / ((1.0 + std::exp(-z)) * (1.0 + std::exp(-z)));
  }
  return 0.0;
}

/// Sum of cross-entropy losses of `inputs` rows; adds the gradient of the sum to `gradient`.
inline double reference_sum_loss(const Mlp& mlp, const Eigen::VectorXd& x,
                                 const Eigen::MatrixXd& inputs, const std::vector<int>& labels,
                                 Eigen::VectorXd& gradient) {
  const auto& sizes = mlp.layer_sizes();
  const auto& groups = mlp.groups();
  const std::size_t layers = sizes.size() - 1;
  auto weight = [&](std::size_t l, int out, int in) {
    return x[groups[2 * l].offset + out * sizes[l] + in];
  };
  double total = 0.0;
  for (Eigen::Index n = 0; n < inputs.rows(); ++n) {
    std::vector<std::vector<double>> act(layers + 1), pre(layers + 1);
    act[0].resize(sizes[0]);
    for (int i = 0; i < sizes[0]; ++i) act[0][i] = inputs(n, i);
    for (std::size_t l = 0; l < layers; ++l) {
      pre[l + 1].assign(sizes[l + 1], 0.0);
      act[l + 1].assign(sizes[l + 1], 0.0);
      for (int o = 0; o < sizes[l + 1]; ++o) {
        double z = x[groups[2 * l + 1].offset + o];
        for (int i = 0; i < sizes[l]; ++i) z += weight(l, o, i) * act[l][i];
        pre[l + 1][o] = z;
        act[l + 1][o] = (l + 1 < layers) ? reference_activation(mlp.activation(), z) : z;
      }
    }
    const auto& logits = pre[layers];
    double top = logits[0];
    for (double z : logits) top = std::max(top, z);
    double sum = 0.0;
    for (double z : logits) sum += std::exp(z - top);
    total += top + std::log(sum) - logits[labels[n]];
    std::vector<double> delta(logits.size());
    for (std::size_t k = 0; k < logits.size(); ++k)
      delta[k] = std::exp(logits[k] - top) / sum - (static_cast<int>(k) == labels[n] ? 1.0 : 0.0);
    for (std::size_t l = layers; l-- > 0;) {
      std::vector<double> below(sizes[l], 0.0);
      for (int o = 0; o < sizes[l + 1]; ++o) {
        gradient[groups[2 * l + 1].offset + o] += delta[o];
        for (int i = 0; i < sizes[l]; ++i) {
          gradient[groups[2 * l].offset + o * sizes[l] + i] += delta[o] * act[l][i];
          below[i] += delta[o] * weight(l, o, i);
        }
      }
      if (l > 0)
        for (int i = 0; i < sizes[l]; ++i)
          below[i] *= reference_derivative(mlp.activation(), pre[l][i]);
      delta = below;
    }
  }
  return total;
}

}  // namespace l2o::test
