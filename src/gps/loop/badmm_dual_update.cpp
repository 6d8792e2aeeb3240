#include "gps/loop/badmm_dual_update.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

void BadmmDualParams::check() const {
  if (!(lambda_rate >= 0.0) || !std::isfinite(lambda_rate)) {
    throw std::invalid_argument("BadmmDualParams.lambda_rate must be finite and >= 0");
  }
  if (!(policy_variance > 0.0) || !std::isfinite(policy_variance)) {
    throw std::invalid_argument("BadmmDualParams.policy_variance must be finite and > 0");
  }
  if (!(nu_increase >= 1.0))
    throw std::invalid_argument("BadmmDualParams.nu_increase must be >= 1");
  if (!(nu_decrease > 0.0 && nu_decrease <= 1.0)) {
    throw std::invalid_argument("BadmmDualParams.nu_decrease must be in (0, 1]");
  }
  if (!(upper_std >= 0.0)) throw std::invalid_argument("BadmmDualParams.upper_std must be >= 0");
  if (!(lower_std >= 0.0)) throw std::invalid_argument("BadmmDualParams.lower_std must be >= 0");
  if (!(nu_dual_rate >= 0.0))
    throw std::invalid_argument("BadmmDualParams.nu_dual_rate must be >= 0");
}

namespace {

void require_steps(const Eigen::VectorXd& values, Eigen::Index horizon, const char* name) {
  if (values.size() != horizon) {
    throw std::invalid_argument(std::string("BADMM dual update: ") + name +
                                " must have T = " + std::to_string(horizon) + " entries");
  }
}

}  // namespace

Eigen::VectorXd badmm_policy_kl(const PolicyMismatch& mismatch, const Eigen::VectorXd& psi_variance,
                                const BadmmDualParams& params) {
  const Eigen::Index horizon = psi_variance.size();
  require_steps(mismatch.mean_squared_difference, horizon, "mean_squared_difference");
  const double pi_var = params.policy_variance;
  // KL(N(mu_psi, G) || N(mu_pi, Sigma_pi)) averaged over the samples.
  return 0.5 * ((psi_variance.array() + mismatch.mean_squared_difference.array()) / pi_var - 1.0 +
                (pi_var / psi_variance.array()).log())
                   .matrix();
}

void update_multipliers(const PolicyMismatch& mismatch, const Eigen::VectorXd& psi_variance,
                        const BadmmDualParams& params, BadmmDuals& duals) {
  const Eigen::Index horizon = duals.lambda.size();
  require_steps(duals.nu, horizon, "nu");
  require_steps(psi_variance, horizon, "psi variance");
  require_steps(mismatch.mean_difference, horizon, "mean_difference");
  // Precision-weighted step of [GPS] _policy_dual_step: if pi's mean is below psi's, lambda falls,
  // the -lambda a cost term penalises large actions of psi and pi's target y rises.
  duals.lambda.array() -= params.lambda_rate * duals.nu.array() * mismatch.mean_difference.array() /
                          psi_variance.array();
}

void update_penalty_weights(const Eigen::VectorXd& policy_kl, const BadmmDualParams& params,
                            BadmmDuals& duals) {
  const Eigen::Index horizon = duals.nu.size();
  require_steps(policy_kl, horizon, "policy_kl");
  if (params.nu_rule == NuRule::dual_step) {
    duals.nu = (duals.nu + params.nu_dual_rate * policy_kl).cwiseMax(0.0);
    return;
  }
  const double mean = policy_kl.mean();
  const double std_dev =
      std::sqrt((policy_kl.array() - mean).square().sum() / static_cast<double>(horizon));
  for (Eigen::Index t = 0; t < horizon; ++t) {
    if (policy_kl(t) < mean - params.lower_std * std_dev) {
      duals.nu(t) *= params.nu_decrease;
    } else if (policy_kl(t) >= mean + params.upper_std * std_dev) {
      duals.nu(t) *= params.nu_increase;
    }
  }
}

}  // namespace l2o
