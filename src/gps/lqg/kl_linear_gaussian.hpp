#pragma once
// KL divergence between two linear-Gaussian policies with a 1-D action, averaged over a Gaussian
// state marginal (gps-spec.md §7.5), and the trust-region measure summed over time.
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"
#include "gps/lqg/lqg_forward_pass.hpp"

namespace l2o {

/// E_{s ~ N(state_mean, state_cov)} KL(p_t(.|s) || q_t(.|s)) for step t of two policies
/// (gps-spec.md §7.5); exact, no allocation.
double linear_gaussian_kl(const LinearGaussianPolicy& p, const LinearGaussianPolicy& q,
                          Eigen::Index t, const Eigen::Ref<const Eigen::VectorXd>& state_mean,
                          const Eigen::Ref<const Eigen::MatrixXd>& state_cov);

/// Trust-region measure sum_t max(0, KL_t(p || q)) with the state marginals of `marginals`
/// (the forward pass of p, gps-spec.md §7.5). Throws LqgError naming the step of a
/// non-finite KL.
double trust_region_kl(const LinearGaussianPolicy& p, const LinearGaussianPolicy& q,
                       const StateActionMarginals& marginals, const LqgContext& context);

}  // namespace l2o
