#include "gps/features/scaled_units.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

void ScaledUnits::scale_states(Eigen::Ref<Eigen::MatrixXd> states) const {
  if (states.cols() != state_scale.size()) {
    throw std::invalid_argument("scale_states: need " + std::to_string(state_scale.size()) +
                                " columns");
  }
  states.array().rowwise() /= state_scale.transpose().array();
}

void ScaledUnits::scale_actions(Eigen::Ref<Eigen::MatrixXd> actions) const {
  actions /= action_scale;
}

void ScaledUnits::check(int state_dim) const {
  if (state_scale.size() != state_dim || !state_scale.allFinite() ||
      !(state_scale.array() > 0.0).all()) {
    throw std::invalid_argument("ScaledUnits.state_scale must hold " + std::to_string(state_dim) +
                                " positive finite values");
  }
  if (!std::isfinite(action_scale) || !(action_scale > 0.0)) {
    throw std::invalid_argument("ScaledUnits.action_scale must be positive and finite");
  }
}

ScaledUnits identity_units(int state_dim) {
  return {.state_scale = Eigen::VectorXd::Ones(state_dim), .action_scale = 1.0};
}

ScaledUnits compute_scaled_units(const TransitionStatistics& raw_pilot_statistics) {
  const TransitionStatistics& columns = raw_pilot_statistics;
  const MomentSums& sums = raw_pilot_statistics.sums();
  const int horizon = raw_pilot_statistics.horizon();
  const int state_dim = raw_pilot_statistics.state_dim();
  const int one = columns.one_column();
  Eigen::MatrixXd gram(sums.u_columns(), sums.u_columns());
  // Inactive components are exactly 0, so the all-step sum of squares is the active-step sum;
  // only the point counts need the active set.
  Eigen::VectorXd active_points = Eigen::VectorXd::Zero(state_dim);
  for (int t = 0; t < horizon; ++t) {
    sums.gram(t, t, gram);
    for (int i = 0; i < state_dim; ++i) {
      if (is_active(i, t)) active_points(i) += gram(one, one);
    }
  }
  sums.gram(0, horizon - 1, gram);
  constexpr double kFloor = 1e-12;
  ScaledUnits units = identity_units(state_dim);
  for (int i = 0; i < state_dim; ++i) {
    if (active_points(i) > 0.0) {
      units.state_scale(i) = std::max(std::sqrt(gram(i, i) / active_points(i)), kFloor);
    }
  }
  const double points = gram(one, one);
  if (!(points > 0.0)) throw std::invalid_argument("compute_scaled_units: no pilot points");
  const int action = columns.action_column();
  units.action_scale = std::max(std::sqrt(gram(action, action) / points), kFloor);
  units.check(state_dim);
  return units;
}

}  // namespace l2o
