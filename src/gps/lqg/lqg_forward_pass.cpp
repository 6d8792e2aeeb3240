#include "gps/lqg/lqg_forward_pass.hpp"

#include <cmath>
#include <stdexcept>

namespace l2o {

LqgForwardPass::LqgForwardPass(Eigen::Index state_dim, Eigen::Index horizon)
    : state_dim_(state_dim),
      horizon_(horizon),
      transition_cov_(state_dim, state_dim + 1),
      gain_cov_(state_dim) {
  if (state_dim <= 0) throw std::invalid_argument("LqgForwardPass: state_dim must be > 0");
  if (horizon <= 0) throw std::invalid_argument("LqgForwardPass: horizon must be > 0");
  marginals_.mean.assign(static_cast<std::size_t>(horizon), Eigen::VectorXd(state_dim + 1));
  marginals_.cov.assign(static_cast<std::size_t>(horizon),
                        Eigen::MatrixXd(state_dim + 1, state_dim + 1));
}

const StateActionMarginals& LqgForwardPass::run(const LinearGaussianPolicy& policy,
                                                const LinearGaussianDynamics& dynamics,
                                                const LqgContext& context) {
  const Eigen::Index n = state_dim_;
  if (policy.state_dim() != n || policy.horizon() != horizon_ || dynamics.state_dim() != n ||
      dynamics.horizon() != horizon_ || dynamics.initial_cov.rows() != n) {
    throw std::invalid_argument(
        "LqgForwardPass::run: policy or dynamics do not match the workspace's n and T");
  }
  marginals_.mean[0].head(n) = dynamics.initial_mean;
  marginals_.cov[0].topLeftCorner(n, n) = dynamics.initial_cov;
  for (Eigen::Index t = 0; t < horizon_; ++t) {
    const auto step = static_cast<std::size_t>(t);
    Eigen::VectorXd& mean = marginals_.mean[step];
    Eigen::MatrixXd& cov = marginals_.cov[step];
    const auto gain = policy.gain.row(t);
    // Action block of §7.4: a = K s + k + noise of variance G.
    mean(n) = gain.dot(mean.head(n)) + policy.bias(t);
    gain_cov_.noalias() = gain * cov.topLeftCorner(n, n);
    cov.row(n).head(n) = gain_cov_;
    cov.col(n).head(n) = gain_cov_.transpose();
    cov(n, n) = gain_cov_.dot(gain) + policy.variance(t);
    if (!std::isfinite(mean(n)) || !std::isfinite(cov(n, n))) {
      throw LqgError(context, t, "forward pass: non-finite state-action marginal");
    }
    if (t + 1 == horizon_) break;
    const Eigen::MatrixXd& transition = dynamics.transition[step];
    Eigen::VectorXd& next_mean = marginals_.mean[step + 1];
    Eigen::MatrixXd& next_cov = marginals_.cov[step + 1];
    next_mean.head(n) = dynamics.offset[step];
    next_mean.head(n).noalias() += transition * mean;
    // Sigma_{s,t+1} = F Sigma^z F^T + F_t: one GEMM, then only the lower triangle of the second
    // product, mirrored (the result is symmetric by construction).
    transition_cov_.noalias() = transition * cov;
    auto next_state_cov = next_cov.topLeftCorner(n, n);
    next_state_cov.triangularView<Eigen::Lower>() = dynamics.noise_cov[step];
    next_state_cov.triangularView<Eigen::Lower>() += transition_cov_ * transition.transpose();
    next_state_cov.triangularView<Eigen::StrictlyUpper>() = next_state_cov.transpose();
  }
  return marginals_;
}

}  // namespace l2o
