#include "gps/lqg/kl_linear_gaussian.hpp"

#include <algorithm>
#include <cmath>

namespace l2o {

double linear_gaussian_kl(const LinearGaussianPolicy& p, const LinearGaussianPolicy& q,
                          Eigen::Index t, const Eigen::Ref<const Eigen::VectorXd>& state_mean,
                          const Eigen::Ref<const Eigen::MatrixXd>& state_cov) {
  const auto gain_difference = (p.gain.row(t) - q.gain.row(t)).transpose();
  const double mean_difference = gain_difference.dot(state_mean) + p.bias(t) - q.bias(t);
  // Delta K Sigma_s Delta K^T column by column, so no temporary vector is allocated.
  double gain_spread = 0.0;
  for (Eigen::Index j = 0; j < state_cov.cols(); ++j) {
    gain_spread += gain_difference(j) * state_cov.col(j).dot(gain_difference);
  }
  const double p_var = p.variance(t);
  const double q_var = q.variance(t);
  return 0.5 * ((p_var + mean_difference * mean_difference + gain_spread) / q_var - 1.0 +
                std::log(q_var / p_var));
}

double trust_region_kl(const LinearGaussianPolicy& p, const LinearGaussianPolicy& q,
                       const StateActionMarginals& marginals, const LqgContext& context) {
  const Eigen::Index n = p.state_dim();
  double total = 0.0;
  for (Eigen::Index t = 0; t < p.horizon(); ++t) {
    const auto step = static_cast<std::size_t>(t);
    const double kl = linear_gaussian_kl(p, q, t, marginals.mean[step].head(n),
                                         marginals.cov[step].topLeftCorner(n, n));
    if (!std::isfinite(kl)) throw LqgError(context, t, "policy KL is not finite");
    total += std::max(0.0, kl);
  }
  return total;
}

}  // namespace l2o
