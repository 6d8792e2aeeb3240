#pragma once
// The frozen per-group scaled units of gps-spec.md §3.2: s = D_g^-1 s_raw, a = a_raw / sigma_a,
// computed once from the pilot rollouts of the initial controller (§11 item 2).
#include <Eigen/Core>

#include "gps/fit/sufficient_statistics.hpp"

namespace l2o {

/// Per-group scales D_g = diag(state_scale) and sigma_a; saved with the policy. The default is
/// the identity on the paper's 76-dim state.
struct ScaledUnits {
  Eigen::VectorXd state_scale = Eigen::VectorXd::Ones(kStateDim);  ///< sigma_{g,i} > 0
  double action_scale = 1.0;                                       ///< sigma_{a,g} > 0

  /// Raw states (rows = points, state_scale.size() columns) to scaled units, in place.
  void scale_states(Eigen::Ref<Eigen::MatrixXd> states) const;
  /// Raw actions to scaled units, in place.
  void scale_actions(Eigen::Ref<Eigen::MatrixXd> actions) const;
  /// Throws std::invalid_argument unless `state_dim` positive finite state scales and a positive
  /// finite action scale.
  void check(int state_dim) const;
};

/// Identity units (raw data) for a state of dimension `state_dim`.
ScaledUnits identity_units(int state_dim);

/// Scales from TransitionStatistics accumulated on *raw* pilot data (the mean action in the
/// action column): sigma_i = RMS of component i over the points of the steps where it is
/// active, sigma_a = RMS of the action, both floored at 1e-12; a never-active component gets 1.
ScaledUnits compute_scaled_units(const TransitionStatistics& raw_pilot_statistics);

}  // namespace l2o
