#pragma once
// Dual gradient descent on the KL trust-region dual eta (gps-spec.md §7.6, [GPS]
// TrajOptLQRPython.update, non-per-step mode): bracket eta until the KL of the LQG solution to
// the anchor psi-hat is within 10% of epsilon = kl_step * step_multiplier * T.
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_backward_pass.hpp"
#include "gps/lqg/lqg_error.hpp"
#include "gps/lqg/lqg_forward_pass.hpp"
#include "gps/lqg/lqg_problem.hpp"

namespace l2o {

/// Parameters of the eta search (gps-spec.md §7.6, §13).
struct DgdParams {
  LqgParams lqg;               ///< non-positive-definite recovery of the backward pass
  double kl_step = 0.2;        ///< epsilon_0: nats per step per coordinate ([GPS] kl_step)
  double eta_min = 1e-4;       ///< lower bracket end, reset every call
  double eta_max = 1e16;       ///< upper bracket end, reset every call
  int max_iterations = 50;     ///< backward/forward passes per call
  double tolerance = 0.1;      ///< stop when |KL - epsilon| < tolerance * epsilon
  double slack_eta = 1.01e-4;  ///< stop when KL < epsilon already at eta <= this
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Outcome of one DGD call.
struct DgdResult {
  double eta = 0.0;               ///< dual of the returned policy (store as eta_g)
  double kl = 0.0;                ///< trust-region KL(psi' || psi-hat) of the returned policy
  double epsilon = 0.0;           ///< the KL bound kl_step * step_multiplier * T
  int iterations = 0;             ///< backward/forward passes made
  bool converged = false;         ///< |KL - epsilon| < tolerance * epsilon
  bool constraint_slack = false;  ///< stopped at eta_min with KL < epsilon (bound inactive)
  /// True when the caller should log a warning: KL exceeds epsilon by more than the tolerance.
  [[nodiscard]] bool kl_exceeds_tolerance(double tolerance) const {
    return kl > (1.0 + tolerance) * epsilon;
  }
};

/// Eta search with backward/forward workspaces sized once for (state dimension, horizon).
class DualGradientDescent {
 public:
  /// Workspaces for state dimension n and horizon T.
  DualGradientDescent(Eigen::Index state_dim, Eigen::Index horizon, DgdParams params = {});

  /// Solves the psi-step of `problem` (which must have an anchor) starting from dual `eta`
  /// (the stored eta_g) into `policy`. Validates the problem once (LqgError on non-finite data).
  DgdResult solve(const LqgProblem& problem, double eta, double step_multiplier,
                  LinearGaussianPolicy& policy, const LqgContext& context);

  /// The parameters in use.
  [[nodiscard]] const DgdParams& params() const { return params_; }
  /// The forward pass of the last solve (marginals of the returned policy).
  [[nodiscard]] const LqgForwardPass& forward() const { return forward_; }

 private:
  DgdParams params_;
  LqgBackwardPass backward_;
  LqgForwardPass forward_;
};

}  // namespace l2o
