#pragma once
// Linear-Gaussian fit pi-bar_t(a|s) = N(Kbar_t s + kbar_t, Sbar_t) of the LSTM policy's
// teacher-forced means per (group, time step), with the windowed NIW prior (gps-spec.md §6).
#include <Eigen/Core>

#include "gps/fit/fit_error.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Hyperparameters of the linearisation fit (gps-spec.md §13).
struct PolicyLinearisationParams {
  double prior_count = 100.0;     ///< n0 = m = n_pol, >= 0
  int window = 10;                ///< W_p: prior window half-width, >= 0
  double ridge = 1e-3;            ///< delta_pol on the state block, >= 0
  double policy_variance = 0.25;  ///< Sigma^pi_g in scaled units (§8.6), >= 0
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// The linearisation and its conditioning diagnostic.
struct PolicyLinearisationFit {
  LinearGaussianPolicy linearisation;  ///< Kbar_t (inactive entries 0), kbar_t, Sbar_t
  Eigen::VectorXd state_rcond;         ///< T: reciprocal condition estimate of Sigma_ss + delta I
};

/// Fits t = 0..T-1 (parallel over t). Throws FitError naming group, iteration and step.
PolicyLinearisationFit fit_policy_linearisation(const PolicyStatistics& statistics,
                                                const PolicyLinearisationParams& params,
                                                const FitContext& context);

}  // namespace l2o
