#pragma once
// Small systems for the LQG / KL / DGD / BADMM tests (gps-spec.md §17).
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o::test {

/// Scalar system s' = a_coef s + b_coef a + offset (noise variance noise_var) over T steps,
/// s_0 ~ N(initial_mean, initial_var).
inline LinearGaussianDynamics scalar_dynamics(Eigen::Index horizon, double a_coef, double b_coef,
                                              double offset, double noise_var, double initial_mean,
                                              double initial_var) {
  LinearGaussianDynamics dynamics(1, horizon);
  for (Eigen::Index t = 0; t + 1 < horizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    dynamics.transition[i] << a_coef, b_coef;
    dynamics.offset[i](0) = offset;
    dynamics.noise_cov[i](0, 0) = noise_var;
  }
  dynamics.initial_mean(0) = initial_mean;
  dynamics.initial_cov(0, 0) = initial_var;
  return dynamics;
}

/// Per-step cost 1/2 (c_ss s^2 + c_aa a^2), no linear term, for a scalar state.
inline QuadraticCost scalar_cost(Eigen::Index horizon, double c_ss, double c_aa) {
  QuadraticCost cost(1, horizon);
  for (auto& hessian : cost.hessian) hessian.diagonal() << c_ss, c_aa;
  return cost;
}

/// Stationary scalar-state policy (K, k, G) at every step.
inline LinearGaussianPolicy scalar_policy(Eigen::Index horizon, double gain, double bias,
                                          double variance) {
  LinearGaussianPolicy policy(1, horizon);
  policy.gain.setConstant(gain);
  policy.bias.setConstant(bias);
  policy.variance.setConstant(variance);
  return policy;
}

}  // namespace l2o::test
