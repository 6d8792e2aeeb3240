#pragma once
// Input normalisation of the global policy (gps-spec.md §8.2, [GPS] TfPolicy scale/bias):
// o~ = diag(beta) o + zeta with beta_i = 1 / max(std_i, 1e-6) and zeta_i = -mean_i beta_i over all
// recorded observations of the group at iteration 0; frozen afterwards and saved with the policy.
//
// Observation sequences are P x mT matrices (m = 3, 5 with the adaptive features): row j holds
// o_{j,0}, o_{j,1}, ..., o_{j,T-1}, the m entries of step t in columns mt..mt+m-1 (the input
// layout of LstmEngine::forward_sequence).
#include <Eigen/Core>
#include <vector>

#include "gps/features/features.hpp"
#include "gps/fit/sufficient_statistics.hpp"

namespace l2o {

/// The recorder's layout (T matrices P x m, GroupRolloutRecord::observations) as sequences
/// P x mT. Throws std::invalid_argument unless T >= 1 matrices of equal shape.
Eigen::MatrixXd observation_sequences(const std::vector<Eigen::MatrixXd>& per_step);

/// The frozen affine map o -> diag(scale) o + offset of one group (gps-spec.md §8.2).
struct ObservationNormalisation {
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(kObservationDim);   ///< beta_g > 0 (m entries)
  Eigen::VectorXd offset = Eigen::VectorXd::Zero(kObservationDim);  ///< zeta_g

  /// Normalised copy of observation sequences (P x mT, any T >= 1) in the scalar type `Scalar`.
  template <class Scalar>
  [[nodiscard]] Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> apply(
      const Eigen::Ref<const Eigen::MatrixXd>& observations) const {
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> normalised;
    apply(observations, normalised);
    return normalised;
  }
  /// As above into `normalised`, resized only if its size differs (no allocation per step, §15).
  template <class Scalar>
  void apply(const Eigen::Ref<const Eigen::MatrixXd>& observations,
             Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& normalised) const;
  /// Throws std::invalid_argument unless every scale is finite and > 0 and every offset finite.
  void check() const;
};

/// Exact (fixed-point, MomentSums) sums of o and o o^T over recorded observations, so the
/// normalisation is the same for any split of rollouts over ranks (gps-spec.md §14).
class ObservationStatistics {
 public:
  /// Empty sums for observations of dimension m (the paper's 3 by default).
  explicit ObservationStatistics(int observation_dim = kObservationDim)
      : sums_(1, observation_dim + 1, 0) {}
  /// Adds every step of one rollout's observation sequences (P x mT).
  void add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& observations);
  /// The normalisation of §8.2 from the sums (population std); throws std::invalid_argument if
  /// nothing was added.
  [[nodiscard]] ObservationNormalisation normalisation() const;
  /// The sums, for reduction (serialize / merge).
  [[nodiscard]] const MomentSums& sums() const { return sums_; }
  /// Mutable sums, for the reduction layer.
  [[nodiscard]] MomentSums& sums() { return sums_; }

 private:
  MomentSums sums_;  ///< one step; U = [o (m), 1]
};

}  // namespace l2o
