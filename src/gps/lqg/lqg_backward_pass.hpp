#pragma once
// LQG backward pass with the KL trust region and the BADMM terms (gps-spec.md §7.2-§7.3): a
// maximum-entropy LQR on the augmented cost, each step divided by (eta + nu_t), with the
// non-positive-definite recovery that raises eta and restarts the sweep.
#include <vector>

#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"
#include "gps/lqg/lqg_problem.hpp"

namespace l2o {

/// Parameters of the non-positive-definite recovery (gps-spec.md §7.3, §13).
struct LqgParams {
  double eta_increment = 1e-4;  ///< delta_0: first eta increase after a failed sweep (doubles)
  double eta_limit = 1e16;      ///< abort once the recovery reaches this eta
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Value function of every step of the divided problem, V_t and v_t (tests, diagnostics).
struct LqgValueTrace {
  std::vector<Eigen::MatrixXd> matrix;  ///< T symmetric n x n matrices V_t
  std::vector<Eigen::VectorXd> vector;  ///< T vectors v_t
};

/// Backward pass with workspaces sized once for (state dimension, horizon).
class LqgBackwardPass {
 public:
  /// Workspaces for state dimension n and horizon T.
  LqgBackwardPass(Eigen::Index state_dim, Eigen::Index horizon, LqgParams params = {});

  /// Solves the psi-step at dual eta > 0 into `policy` (resized to T x n if needed). When a sweep
  /// meets Q_aa <= 0 or a non-finite Q_aa, eta <- eta_start + delta, delta doubling from
  /// eta_increment, and the sweep restarts (§7.3). Returns the eta of the successful sweep.
  /// Throws LqgError once eta reaches eta_limit (naming the failing step and whether the
  /// dynamics contain NaN); `trace`, if given, receives V_t and v_t.
  double solve(const LqgProblem& problem, double eta, LinearGaussianPolicy& policy,
               const LqgContext& context, LqgValueTrace* trace = nullptr);

  /// The recovery parameters.
  [[nodiscard]] const LqgParams& params() const { return params_; }

 private:
  /// One sweep at fixed eta; returns the first (latest) failing time step, or -1 on success.
  Eigen::Index sweep(const LqgProblem& problem, double eta, LinearGaussianPolicy& policy,
                     LqgValueTrace* trace);
  /// Adds weight * (-log N(a; K s + k, S)) of policy row t to Q (lower triangle) and q (§7.2).
  void add_policy_term(const LinearGaussianPolicy& policy, Eigen::Index t, double weight);

  Eigen::Index state_dim_;
  Eigen::Index horizon_;
  LqgParams params_;
  Eigen::MatrixXd q_matrix_;          ///< Q_t, (n+1)^2; only the lower triangle is maintained
  Eigen::VectorXd q_vector_;          ///< q_t, n+1
  Eigen::MatrixXd value_matrix_;      ///< V_{t+1}, n x n; only the lower triangle is maintained
  Eigen::VectorXd value_vector_;      ///< v_{t+1}, n
  Eigen::MatrixXd value_transition_;  ///< V_{t+1} [A_t B_t], n x (n+1)
  Eigen::VectorXd value_offset_;      ///< v_{t+1} + V_{t+1} c_t, n
  Eigen::VectorXd direction_;         ///< u = [-K^T; 1], n+1
};

}  // namespace l2o
