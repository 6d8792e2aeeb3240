#include "gps/loop/badmm_policy_targets.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace l2o {

Eigen::VectorXd badmm_target_offsets(const LinearGaussianPolicy& psi, const BadmmDuals& duals) {
  const Eigen::Index horizon = psi.horizon();
  if (duals.lambda.size() != horizon || duals.nu.size() != horizon) {
    throw std::invalid_argument("badmm_target_offsets: lambda and nu must have T entries");
  }
  if (!(duals.nu.minCoeff() > 0.0)) {
    throw std::invalid_argument("badmm_target_offsets: every nu_t must be > 0");
  }
  return (psi.bias.array() - psi.variance.array() * duals.lambda.array() / duals.nu.array())
      .matrix();
}

Eigen::MatrixXd linear_policy_means(const std::vector<Eigen::MatrixXd>& states,
                                    const RowMajorMatrixXd& gain, const Eigen::VectorXd& bias) {
  const auto horizon = static_cast<Eigen::Index>(states.size());
  if (horizon == 0 || gain.rows() != horizon || bias.size() != horizon) {
    throw std::invalid_argument(
        "linear_policy_means: need T >= 1 state matrices, a T-row gain and T biases");
  }
  const Eigen::Index points = states.front().rows();
  Eigen::MatrixXd means(points, horizon);
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const Eigen::MatrixXd& s = states[t];
    if (s.rows() != points || s.cols() != gain.cols()) {
      throw std::invalid_argument("linear_policy_means: state matrix " + std::to_string(t) +
                                  " is not P x n like the first one and the gain");
    }
    means.col(t).noalias() = s * gain.row(t).transpose();
    means.col(t).array() += bias(t);
  }
  return means;
}

Eigen::VectorXd badmm_loss_weights(const Eigen::VectorXd& nu) {
  const double total = nu.sum();
  if (nu.size() == 0 || !(total > 0.0) || !(nu.minCoeff() >= 0.0)) {
    throw std::invalid_argument("badmm_loss_weights: nu must be non-empty, >= 0, not all zero");
  }
  Eigen::VectorXd weights = nu * (static_cast<double>(nu.size()) / total);
  std::vector<double> large;
  for (double w : weights) {
    if (w > 1e-2) large.push_back(w);
  }
  // The weights average 1, so at least one exceeds 1e-2. Median as numpy's (mean of the middle
  // two for an even count).
  std::sort(large.begin(), large.end());
  const std::size_t middle = large.size() / 2;
  const double median =
      large.size() % 2 == 1 ? large[middle] : 0.5 * (large[middle - 1] + large[middle]);
  return weights.cwiseMin(2.0 * median) / median;
}

}  // namespace l2o
