#pragma once
// Linear-Gaussian regression by Gaussian conditioning of a joint covariance estimated with a
// normal-inverse-Wishart (NIW) prior (gps-spec.md §5.1 steps 1-4, §6; [GPS]
// `gauss_fit_joint_prior`). Generic in the dimensions; the GPS fits pick the index sets.
#include <Eigen/Core>

namespace l2o {

/// Mean and (biased, divided by the count) covariance of a set of points.
struct GaussianMoments {
  Eigen::VectorXd mean;        ///< mu-hat
  Eigen::MatrixXd covariance;  ///< S-hat = (1/P) sum (y - mu)(y - mu)^T
  double count = 0.0;          ///< P
};

/// Moments from the sums sum_y, sum_yy^T and the count P (> 0); the covariance is symmetrised.
GaussianMoments moments_from_sums(const Eigen::Ref<const Eigen::VectorXd>& sum,
                                  const Eigen::Ref<const Eigen::MatrixXd>& sum_outer, double count);

/// NIW MAP covariance (gps-spec.md §5.1 step 3):
/// (P S + n0 Sigma0 + P m / (P + m) (mu - mu0)(mu - mu0)^T) / (P + n0), symmetrised.
Eigen::MatrixXd niw_posterior_covariance(const GaussianMoments& empirical,
                                         const GaussianMoments& prior, double prior_count,
                                         double mean_count);

/// y_out ~ N(gain y_in + offset, residual_covariance): the conditional of a joint Gaussian.
struct ConditionalGaussian {
  Eigen::MatrixXd gain;                 ///< Sigma_oi (Sigma_ii + ridge I)^-1, n_out x n_in
  Eigen::VectorXd offset;               ///< mu_o - gain mu_i
  Eigen::MatrixXd residual_covariance;  ///< Sigma_oo - gain Sigma_io, symmetrised
  double input_rcond = 0.0;  ///< reciprocal condition estimate (1-norm) of Sigma_ii + ridge I
};

/// Conditions the joint N(mean, covariance) of y = [y_in (first `inputs` entries); y_out] on
/// y_in, with `ridge` added to the input block (§5.1 step 4). Throws std::domain_error if the
/// input block is not positive definite.
ConditionalGaussian condition_gaussian(const Eigen::Ref<const Eigen::VectorXd>& mean,
                                       const Eigen::Ref<const Eigen::MatrixXd>& covariance,
                                       Eigen::Index inputs, double ridge);

}  // namespace l2o

namespace l2o {

/// The NIW-regularised regression of §5.1 steps 3-4: NIW covariance from `empirical` and
/// `prior` (n0 = m = `prior_count`), conditioned at the empirical mean on the first `inputs`
/// entries with `ridge` on the input block.
ConditionalGaussian niw_regression(const GaussianMoments& empirical, const GaussianMoments& prior,
                                   double prior_count, Eigen::Index inputs, double ridge);

}  // namespace l2o
