#pragma once
// Plain data exchanged between the GPS fits (dynamics, cost, policy linearisation, duals) and the
// LQG solver (gps-spec.md §1.2, §5-§7). Everything is in scaled units (§3.2), double precision,
// generic in the state dimension n (76 in production). Time-varying quantities are indexed by the
// time step t = 0..T-1 (dynamics: t = 0..T-2). The fit code fills these; the solver never resizes
// them.
#include <Eigen/Core>
#include <vector>

namespace l2o {

/// Row-major dense matrix: one contiguous row per time step.
using RowMajorMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Active state components per time step (T x n, true = active, gps-spec.md §2.2).
using ActiveMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Time-varying linear-Gaussian policy a ~ N(K_t s + k_t, G_t) with a 1-D action (gps-spec.md
/// §1.2): a local controller psi, or the linearisation pi-bar = (Kbar_t, kbar_t, Sbar_t) of §6.
struct LinearGaussianPolicy {
  RowMajorMatrixXd gain;     ///< T x n; row t is K_t
  Eigen::VectorXd bias;      ///< T; k_t
  Eigen::VectorXd variance;  ///< T; G_t > 0

  LinearGaussianPolicy() = default;
  /// Zero gains and biases, unit variances.
  LinearGaussianPolicy(Eigen::Index state_dim, Eigen::Index horizon)
      : gain(RowMajorMatrixXd::Zero(horizon, state_dim)),
        bias(Eigen::VectorXd::Zero(horizon)),
        variance(Eigen::VectorXd::Ones(horizon)) {}
  /// Number of time steps T.
  [[nodiscard]] Eigen::Index horizon() const { return bias.size(); }
  /// State dimension n.
  [[nodiscard]] Eigen::Index state_dim() const { return gain.cols(); }
};

/// Fitted dynamics s_{t+1} ~ N(A_t s_t + B_t a_t + c_t, F_t), t = 0..T-2, and the initial state
/// s_0 ~ N(mu_0, Sigma_0) (gps-spec.md §5.1-§5.2).
struct LinearGaussianDynamics {
  std::vector<Eigen::MatrixXd> transition;  ///< T-1 matrices [A_t B_t], n x (n+1)
  std::vector<Eigen::VectorXd> offset;      ///< T-1 vectors c_t, n
  std::vector<Eigen::MatrixXd> noise_cov;   ///< T-1 matrices F_t, n x n, symmetric PSD
  Eigen::VectorXd initial_mean;             ///< mu_{s,0}, n
  Eigen::MatrixXd initial_cov;              ///< Sigma_{s,0}, n x n

  LinearGaussianDynamics() = default;
  /// All-zero dynamics for T time steps (T-1 transitions).
  LinearGaussianDynamics(Eigen::Index state_dim, Eigen::Index horizon)
      : transition(horizon - 1, Eigen::MatrixXd::Zero(state_dim, state_dim + 1)),
        offset(horizon - 1, Eigen::VectorXd::Zero(state_dim)),
        noise_cov(horizon - 1, Eigen::MatrixXd::Zero(state_dim, state_dim)),
        initial_mean(Eigen::VectorXd::Zero(state_dim)),
        initial_cov(Eigen::MatrixXd::Zero(state_dim, state_dim)) {}
  /// Number of time steps T (one more than the number of transitions).
  [[nodiscard]] Eigen::Index horizon() const {
    return static_cast<Eigen::Index>(transition.size()) + 1;
  }
  /// State dimension n.
  [[nodiscard]] Eigen::Index state_dim() const { return initial_mean.size(); }
};

/// Per-step quadratic cost l_t(z) = 1/2 z^T C_t z + d_t^T z of z = [s; a] (gps-spec.md §4).
struct QuadraticCost {
  std::vector<Eigen::MatrixXd> hessian;   ///< T matrices C_t, (n+1) x (n+1); the action is last
  std::vector<Eigen::VectorXd> gradient;  ///< T vectors d_t, n+1

  QuadraticCost() = default;
  /// All-zero cost for T time steps.
  QuadraticCost(Eigen::Index state_dim, Eigen::Index horizon)
      : hessian(horizon, Eigen::MatrixXd::Zero(state_dim + 1, state_dim + 1)),
        gradient(horizon, Eigen::VectorXd::Zero(state_dim + 1)) {}
  /// Number of time steps T.
  [[nodiscard]] Eigen::Index horizon() const { return static_cast<Eigen::Index>(hessian.size()); }
};

/// BADMM dual variables of one group (gps-spec.md §9): multiplier lambda_t and penalty nu_t.
struct BadmmDuals {
  Eigen::VectorXd lambda;  ///< T; Lagrange multiplier on the mean action
  Eigen::VectorXd nu;      ///< T; penalty weight, >= 0

  BadmmDuals() = default;
  /// lambda_t = 0 and nu_t = initial_nu (gps-spec.md §11 item 4: 0.01).
  BadmmDuals(Eigen::Index horizon, double initial_nu)
      : lambda(Eigen::VectorXd::Zero(horizon)),
        nu(Eigen::VectorXd::Constant(horizon, initial_nu)) {}
};

}  // namespace l2o
