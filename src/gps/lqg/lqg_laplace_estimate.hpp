#pragma once
// Laplace (Gaussian) estimate of a policy's expected cost plus nu-weighted KL to the global
// policy's linearisation under a local model (gps-spec.md §7.7); the inputs of the step-size
// rule of §10.
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"
#include "gps/lqg/lqg_forward_pass.hpp"

namespace l2o {

/// One iteration's local model of a group: fitted dynamics, cost and linearisation pi-bar.
struct LqgModel {
  const LinearGaussianDynamics& dynamics;     ///< fitted dynamics and initial state (§5)
  const QuadraticCost& cost;                  ///< fitted cost (§4)
  const LinearGaussianPolicy& linearisation;  ///< pi-bar (§6)
};

/// The two parts of J-hat.
struct LaplaceEstimate {
  double cost = 0.0;  ///< sum_t 1/2 tr(C_t Sigma^z_t) + 1/2 mu^zT C_t mu^z + d_t^T mu^z
  double kl = 0.0;    ///< sum_t nu_t KL_t(psi || pi-bar)
  /// J-hat = cost + kl.
  [[nodiscard]] double total() const { return cost + kl; }
};

/// J-hat of `policy` under `model` with penalty weights `nu` (T entries), using `forward` as
/// workspace (gps-spec.md §7.7). Throws LqgError naming the step of a non-finite term.
LaplaceEstimate laplace_estimate(const LinearGaussianPolicy& policy, const LqgModel& model,
                                 const Eigen::VectorXd& nu, LqgForwardPass& forward,
                                 const LqgContext& context);

}  // namespace l2o
