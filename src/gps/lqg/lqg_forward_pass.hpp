#pragma once
// Forward pass of a linear-Gaussian policy through linear-Gaussian dynamics: the Gaussian
// state-action marginals N(mu^z_t, Sigma^z_t) of z_t = [s_t; a_t] (gps-spec.md §7.4).
#include <vector>

#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"

namespace l2o {

/// Marginals of z_t = [s_t; a_t] for t = 0..T-1; the action is the last entry.
struct StateActionMarginals {
  std::vector<Eigen::VectorXd> mean;  ///< T vectors mu^z_t, n+1
  std::vector<Eigen::MatrixXd> cov;   ///< T symmetric matrices Sigma^z_t, (n+1) x (n+1)
};

/// Forward pass with marginals and workspace sized once for (state dimension, horizon).
class LqgForwardPass {
 public:
  /// Storage for state dimension n and horizon T.
  LqgForwardPass(Eigen::Index state_dim, Eigen::Index horizon);

  /// Propagates the initial state of `dynamics` under `policy` (gps-spec.md §7.4). Throws
  /// std::invalid_argument on shape mismatch and LqgError naming the first step with a
  /// non-finite marginal.
  const StateActionMarginals& run(const LinearGaussianPolicy& policy,
                                  const LinearGaussianDynamics& dynamics,
                                  const LqgContext& context);

  /// The marginals of the last run().
  [[nodiscard]] const StateActionMarginals& marginals() const { return marginals_; }

 private:
  Eigen::Index state_dim_;
  Eigen::Index horizon_;
  StateActionMarginals marginals_;
  Eigen::MatrixXd transition_cov_;  ///< [A_t B_t] Sigma^z_t, n x (n+1)
  Eigen::RowVectorXd gain_cov_;     ///< K_t Sigma_{s,t}, 1 x n
};

}  // namespace l2o
