#include "gps/fit/niw_prior.hpp"

#include <Eigen/Cholesky>
#include <stdexcept>

namespace l2o {

GaussianMoments moments_from_sums(const Eigen::Ref<const Eigen::VectorXd>& sum,
                                  const Eigen::Ref<const Eigen::MatrixXd>& sum_outer,
                                  double count) {
  if (!(count > 0.0)) throw std::domain_error("moments_from_sums: count must be > 0");
  GaussianMoments moments;
  moments.count = count;
  moments.mean = sum / count;
  moments.covariance = sum_outer / count;
  moments.covariance.noalias() -= moments.mean * moments.mean.transpose();
  moments.covariance = 0.5 * (moments.covariance + moments.covariance.transpose()).eval();
  return moments;
}

Eigen::MatrixXd niw_posterior_covariance(const GaussianMoments& empirical,
                                         const GaussianMoments& prior, double prior_count,
                                         double mean_count) {
  const double points = empirical.count;
  const Eigen::VectorXd mean_shift = empirical.mean - prior.mean;
  // The mean-shift weight P m / (P + m) is 0 when both counts are 0 (no prior).
  const double shift_weight =
      points + mean_count > 0.0 ? points * mean_count / (points + mean_count) : 0.0;
  Eigen::MatrixXd sigma = points * empirical.covariance + prior_count * prior.covariance;
  sigma.noalias() += shift_weight * mean_shift * mean_shift.transpose();
  sigma /= points + prior_count;
  return 0.5 * (sigma + sigma.transpose());
}

ConditionalGaussian condition_gaussian(const Eigen::Ref<const Eigen::VectorXd>& mean,
                                       const Eigen::Ref<const Eigen::MatrixXd>& covariance,
                                       Eigen::Index inputs, double ridge) {
  const Eigen::Index outputs = mean.size() - inputs;
  if (inputs <= 0 || outputs <= 0 || covariance.rows() != mean.size() ||
      covariance.cols() != mean.size()) {
    throw std::invalid_argument(
        "condition_gaussian: need 0 < inputs < dim and a square covariance");
  }
  Eigen::MatrixXd input_block = covariance.topLeftCorner(inputs, inputs);
  input_block.diagonal().array() += ridge;
  const Eigen::LLT<Eigen::MatrixXd> llt(input_block);
  if (llt.info() != Eigen::Success) {
    throw std::domain_error("condition_gaussian: input covariance is not positive definite");
  }
  ConditionalGaussian result;
  result.input_rcond = llt.rcond();
  // gain = Sigma_oi Sigma_ii^-1, via the symmetric solve Sigma_ii gain^T = Sigma_io.
  result.gain = llt.solve(covariance.topRightCorner(inputs, outputs)).transpose();
  result.offset = mean.tail(outputs);
  result.offset.noalias() -= result.gain * mean.head(inputs);
  result.residual_covariance = covariance.bottomRightCorner(outputs, outputs);
  result.residual_covariance.noalias() -= result.gain * covariance.topRightCorner(inputs, outputs);
  result.residual_covariance =
      0.5 * (result.residual_covariance + result.residual_covariance.transpose()).eval();
  return result;
}

}  // namespace l2o

namespace l2o {

ConditionalGaussian niw_regression(const GaussianMoments& empirical, const GaussianMoments& prior,
                                   double prior_count, Eigen::Index inputs, double ridge) {
  return condition_gaussian(empirical.mean,
                            niw_posterior_covariance(empirical, prior, prior_count, prior_count),
                            inputs, ridge);
}

}  // namespace l2o
