#include "gps/policy/policy_kl.hpp"

#include <stdexcept>
#include <string>

namespace l2o {

void PolicyMismatchStatistics::add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& psi_means,
                                           const Eigen::Ref<const Eigen::MatrixXd>& policy_means) {
  if (psi_means.rows() != policy_means.rows() || psi_means.cols() != horizon() ||
      policy_means.cols() != horizon()) {
    throw std::invalid_argument(
        "PolicyMismatchStatistics::add_rollout: psi and policy means must "
        "both be P x T with T = " +
        std::to_string(horizon()));
  }
  Eigen::MatrixXd rows(psi_means.rows(), 2);  // U = [d | 1]
  rows.col(1).setOnes();
  const Eigen::MatrixXd no_cross(0, 2);
  for (int t = 0; t < horizon(); ++t) {
    rows.col(0) = psi_means.col(t) - policy_means.col(t);
    sums_.add(t, rows.transpose() * rows, no_cross);
  }
}

PolicyMismatch PolicyMismatchStatistics::mismatch() const {
  PolicyMismatch result{Eigen::VectorXd(horizon()), Eigen::VectorXd(horizon())};
  Eigen::Matrix2d gram;
  for (int t = 0; t < horizon(); ++t) {
    sums_.gram(t, t, gram);
    if (!(gram(1, 1) > 0.0)) {
      throw std::invalid_argument("PolicyMismatchStatistics: no points at step " +
                                  std::to_string(t));
    }
    result.mean_difference(t) = gram(0, 1) / gram(1, 1);
    result.mean_squared_difference(t) = gram(0, 0) / gram(1, 1);
  }
  return result;
}

}  // namespace l2o
