#pragma once
// Regression targets and loss weights of the BADMM theta-step (gps-spec.md §8.3): the global
// policy is trained towards y_{j,t} = K_t s_{j,t} + k_t - G_t lambda_t / nu_t with precision
// G_t^{-1} and normalised weight w_t.
#include <vector>

#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Target offsets k_t - G_t lambda_t / nu_t (T entries) of psi (gps-spec.md §8.3; the paper's
/// G lambda / nu, not [GPS]'s nu G lambda). The target of a sample is K_t s + offset_t.
/// Throws std::invalid_argument if some nu_t <= 0.
Eigen::VectorXd badmm_target_offsets(const LinearGaussianPolicy& psi, const BadmmDuals& duals);

/// K_t s_{j,t} + bias_t for every recorded point of one rollout: `states` holds T matrices P x n
/// (row j = s_{j,t}, as GroupRolloutRecord::states), `gain` is T x n; returns P x T. With
/// bias = psi.bias these are psi's mean actions mu^psi (§9); with bias =
/// badmm_target_offsets(psi, duals) they are the regression targets y_{j,t} (§8.3).
/// Throws std::invalid_argument on a size mismatch.
Eigen::MatrixXd linear_policy_means(const std::vector<Eigen::MatrixXd>& states,
                                    const RowMajorMatrixXd& gain, const Eigen::VectorXd& bias);

/// Loss weights w_t = nu_t T / sum nu, then min(w_t, 2 wbar) / wbar with wbar the median of the
/// w_t > 1e-2 (gps-spec.md §8.3, [GPS] policy_opt_tf.update).
Eigen::VectorXd badmm_loss_weights(const Eigen::VectorXd& nu);

}  // namespace l2o
