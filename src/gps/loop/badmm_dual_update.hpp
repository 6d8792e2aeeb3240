#pragma once
// BADMM dual updates of one group (gps-spec.md §9): the Monte-Carlo policy KL per step, the
// multiplier step on lambda_t and the penalty-weight rule for nu_t. Inputs are per-step sample
// means over all recorded (rollout, coordinate) pairs, so ranks can reduce them as sums.
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// How nu_t is adapted on the last inner iteration (gps-spec.md §9).
enum class NuRule {
  relative,   ///< x2 / x0.5 by comparison with mean and std of kl_t over t ([P16] default)
  dual_step,  ///< nu_t <- max(0, nu_t + rate * kl_t) ([GPS] default)
};

/// Parameters of the dual updates (gps-spec.md §9, §13).
struct BadmmDualParams {
  double lambda_rate = 0.2;           ///< alpha_lambda ([P16] policy_dual_rate)
  double policy_variance = 0.25;      ///< Sigma^pi, scaled units (§8.6)
  NuRule nu_rule = NuRule::relative;  ///< rule applied by update_penalty_weights
  double nu_increase = 2.0;           ///< factor when kl_t >= mean + upper_std * std
  double nu_decrease = 0.5;           ///< factor when kl_t < mean - lower_std * std
  double upper_std = 0.5;             ///< threshold in standard deviations above the mean
  double lower_std = 1.0;             ///< threshold in standard deviations below the mean
  double nu_dual_rate = 10.0;         ///< rate of NuRule::dual_step
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Per-step sample means of the local-minus-global action difference d = mu^psi - mu^pi
/// (scaled units) over all recorded (n, j); T entries each.
struct PolicyMismatch {
  Eigen::VectorXd mean_difference;          ///< mean_{n,j} (mu^psi_{j,t} - mu^pi_{j,t})
  Eigen::VectorXd mean_squared_difference;  ///< mean_{n,j} (mu^psi_{j,t} - mu^pi_{j,t})^2
};

/// Monte-Carlo KL(psi_t || pi_t) per step with psi's variance G_t (T entries) and the fixed
/// Sigma^pi (gps-spec.md §9, [GPS] _policy_kl).
Eigen::VectorXd badmm_policy_kl(const PolicyMismatch& mismatch, const Eigen::VectorXd& psi_variance,
                                const BadmmDualParams& params);

/// lambda_t <- lambda_t - alpha nu_t G_t^{-1} mean(mu^psi - mu^pi) (gps-spec.md §9).
void update_multipliers(const PolicyMismatch& mismatch, const Eigen::VectorXd& psi_variance,
                        const BadmmDualParams& params, BadmmDuals& duals);

/// nu_t update from the per-step policy KL by params.nu_rule (gps-spec.md §9; only on the last
/// inner iteration, which is the caller's business).
void update_penalty_weights(const Eigen::VectorXd& policy_kl, const BadmmDualParams& params,
                            BadmmDuals& duals);

}  // namespace l2o
