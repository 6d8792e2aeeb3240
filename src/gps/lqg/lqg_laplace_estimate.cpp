#include "gps/lqg/lqg_laplace_estimate.hpp"

#include <cmath>
#include <stdexcept>

#include "gps/lqg/kl_linear_gaussian.hpp"

namespace l2o {

LaplaceEstimate laplace_estimate(const LinearGaussianPolicy& policy, const LqgModel& model,
                                 const Eigen::VectorXd& nu, LqgForwardPass& forward,
                                 const LqgContext& context) {
  const Eigen::Index horizon = policy.horizon();
  const Eigen::Index n = policy.state_dim();
  if (model.cost.horizon() != horizon || nu.size() != horizon ||
      model.linearisation.horizon() != horizon) {
    throw std::invalid_argument("laplace_estimate: cost, linearisation and nu must have T steps");
  }
  const StateActionMarginals& marginals = forward.run(policy, model.dynamics, context);
  LaplaceEstimate estimate;
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const auto step = static_cast<std::size_t>(t);
    const Eigen::MatrixXd& hessian = model.cost.hessian[step];
    const Eigen::VectorXd& mean = marginals.mean[step];
    // tr(C Sigma) = sum_ij C_ij Sigma_ji.
    const double step_cost = 0.5 * hessian.cwiseProduct(marginals.cov[step].transpose()).sum() +
                             0.5 * mean.dot(hessian * mean) + model.cost.gradient[step].dot(mean);
    const double step_kl = nu(t) * linear_gaussian_kl(policy, model.linearisation, t, mean.head(n),
                                                      marginals.cov[step].topLeftCorner(n, n));
    if (!std::isfinite(step_cost) || !std::isfinite(step_kl)) {
      throw LqgError(context, t, "Laplace estimate is not finite");
    }
    estimate.cost += step_cost;
    estimate.kl += step_kl;
  }
  return estimate;
}

}  // namespace l2o
