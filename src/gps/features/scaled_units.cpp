#include "gps/features/scaled_units.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace l2o {

void ScaledUnits::scale_states(Eigen::Ref<Eigen::MatrixXd> states) const {
  if (states.cols() != kStateDim) throw std::invalid_argument("scale_states: need 76 columns");
  states.array().rowwise() /= state_scale.transpose().array();
}

void ScaledUnits::scale_actions(Eigen::Ref<Eigen::MatrixXd> actions) const {
  actions /= action_scale;
}

void ScaledUnits::check() const {
  if (state_scale.size() != kStateDim || !state_scale.allFinite() ||
      !(state_scale.array() > 0.0).all()) {
    throw std::invalid_argument("ScaledUnits.state_scale must hold 76 positive finite values");
  }
  if (!std::isfinite(action_scale) || !(action_scale > 0.0)) {
    throw std::invalid_argument("ScaledUnits.action_scale must be positive and finite");
  }
}

ScaledUnits compute_scaled_units(const TransitionStatistics& raw_pilot_statistics) {
  using Columns = TransitionStatistics;
  const MomentSums& sums = raw_pilot_statistics.sums();
  const int horizon = raw_pilot_statistics.horizon();
  Eigen::MatrixXd gram(Columns::kUColumns, Columns::kUColumns);
  // Inactive components are exactly 0, so the all-step sum of squares is the active-step sum;
  // only the point counts need the active set.
  Eigen::VectorXd active_points = Eigen::VectorXd::Zero(kStateDim);
  for (int t = 0; t < horizon; ++t) {
    sums.gram(t, t, gram);
    for (int i = 0; i < kStateDim; ++i) {
      if (is_active(i, t)) active_points(i) += gram(Columns::kOne, Columns::kOne);
    }
  }
  sums.gram(0, horizon - 1, gram);
  constexpr double kFloor = 1e-12;
  ScaledUnits units;
  for (int i = 0; i < kStateDim; ++i) {
    if (active_points(i) > 0.0) {
      units.state_scale(i) = std::max(std::sqrt(gram(i, i) / active_points(i)), kFloor);
    }
  }
  const double points = gram(Columns::kOne, Columns::kOne);
  if (!(points > 0.0)) throw std::invalid_argument("compute_scaled_units: no pilot points");
  units.action_scale =
      std::max(std::sqrt(gram(Columns::kAction, Columns::kAction) / points), kFloor);
  units.check();
  return units;
}

}  // namespace l2o
