#pragma once
// Per-(group, time step) linear-Gaussian dynamics with the windowed NIW prior, and the
// initial-state distribution (gps-spec.md §5.1, §5.2), from the reduced TransitionStatistics;
// optionally with the GMM prior of §5.4 in place of the window.
#include <Eigen/Core>
#include <string_view>
#include <vector>

#include "gps/fit/fit_error.hpp"
#include "gps/fit/niw_prior.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Source of the NIW prior moments (mu_0, Sigma_0) of the dynamics fit.
enum class DynamicsPrior {
  window,  ///< the group's points of the steps within W_d of t (gps-spec.md §5.1 step 2)
  gmm,     ///< a GMM's moments for the points of step t, supplied by the caller (§5.4)
};

/// The inverse of the config names "window" and "gmm"; throws std::invalid_argument otherwise.
DynamicsPrior parse_dynamics_prior(std::string_view name);

/// Hyperparameters of the dynamics fit (gps-spec.md §13).
struct DynamicsFitParams {
  double prior_count = 200.0;            ///< n0 = m = n_dyn (NIW pseudo-counts), >= 0
  int window = 10;                       ///< W_d: prior window half-width in steps, >= 0
  double ridge = 1e-3;                   ///< delta_dyn added to Sigma_uu, >= 0
  double initial_variance_floor = 1e-6;  ///< floor of Sigma_{s,0}'s diagonal ([GPS]), > 0
  /// Sigma_{s,0} on A(0): the empirical covariance (true) or its diagonal (false, §5.2). The
  /// components of one coordinate's s_0 are correlated (e.g. the AdaGrad direction at t = 0 is
  /// the sign of the gradient feature); the diagonal drops that (docs/gps-design.md).
  bool full_initial_covariance = false;
  DynamicsPrior prior = DynamicsPrior::window;  ///< §5.1 window (default) or §5.4 GMM
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Fitted dynamics and what a user needs to judge them.
struct DynamicsFit {
  LinearGaussianDynamics dynamics;  ///< [A_t B_t], c_t, F_t (t = 0..T-2), mu_{s,0}, Sigma_{s,0}
  Eigen::VectorXd input_rcond;      ///< T-1: reciprocal condition estimate of Sigma_uu + delta I
  Eigen::VectorXd points;           ///< T-1: P_t
};

/// Moments of y = [s_t|I; a_t; s_{t+1}|I'] over the steps first..last (gps-spec.md §5.1 step 1):
/// `regressors` are the U columns of [s_t|I; a_t], `next_state` the indices I' of s_{t+1}.
GaussianMoments transition_moments(const TransitionStatistics& statistics, int first, int last,
                                   const std::vector<int>& regressors,
                                   const std::vector<int>& next_state);

/// A symmetric matrix with its negative eigenvalues clipped to 0 (§5.1 step 4); a positive
/// definite one is returned as it is.
Eigen::MatrixXd clip_to_psd(const Eigen::MatrixXd& covariance);

/// Fits every step t = 0..T-2 (in parallel over t) and the initial state. Throws FitError
/// naming the group, iteration and time step on a non-positive-definite Sigma_uu or a
/// non-finite result. Needs T >= 2. With params.prior == gmm, `gmm_prior` holds the T-1 prior
/// moments over the full 153-dim y = [s_t; a_t; s_{t+1}] (fit_gmm_dynamics_prior in
/// gmm_prior.hpp), restricted here to the active indices; with the window prior it must be
/// null. Throws std::invalid_argument on a mismatch.
DynamicsFit fit_dynamics(const TransitionStatistics& statistics, const DynamicsFitParams& params,
                         const FitContext& context,
                         const std::vector<GaussianMoments>* gmm_prior = nullptr);

}  // namespace l2o
