// Scaled units (gps-spec.md §3.2): RMS over the active steps only, floors, never-active
// components, and applying the scales.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>

#include "gps/features/scaled_units.hpp"
#include "util/random_stream.hpp"

TEST_CASE("Scaled units are the RMS of each component over its active steps", "[statistics]") {
  constexpr int kHorizon = 30;  // < 125: iterate feature 24 (index 75) is never active
  constexpr int kRollouts = 3;
  l2o::TransitionStatistics statistics(kHorizon);
  Eigen::VectorXd sum_squares = Eigen::VectorXd::Zero(l2o::kStateDim);
  Eigen::VectorXd active_points = Eigen::VectorXd::Zero(l2o::kStateDim);
  double action_squares = 0.0;
  double points = 0.0;
  for (int n = 0; n < kRollouts; ++n) {
    l2o::RandomStream random(5, "test_scaled_units", {static_cast<std::uint64_t>(n)});
    const Eigen::Index p = 4 + n;
    l2o::GroupRolloutRecord record;
    record.actions.resize(p, kHorizon);
    record.true_gradients = Eigen::MatrixXd::Zero(p, kHorizon + 1);
    for (int t = 0; t < kHorizon; ++t) {
      Eigen::MatrixXd s = Eigen::MatrixXd::Zero(p, l2o::kStateDim);
      for (Eigen::Index j = 0; j < p; ++j) {
        for (int i = 0; i < l2o::kStateDim; ++i) {
          if (!l2o::is_active(i, t)) continue;
          s(j, i) = std::pow(10.0, -(i % 5)) * random.normal();  // magnitudes 1 .. 1e-4
          sum_squares(i) += s(j, i) * s(j, i);
          active_points(i) += 1.0;
        }
        record.actions(j, t) = 1e-3 * random.normal();
        action_squares += record.actions(j, t) * record.actions(j, t);
        points += 1.0;
      }
      record.states.push_back(s);
    }
    statistics.add_rollout(record);
  }
  const l2o::ScaledUnits units = l2o::compute_scaled_units(statistics);
  for (int i = 0; i < l2o::kStateDim; ++i) {
    INFO("component " << i);
    if (active_points(i) == 0.0) {
      CHECK(units.state_scale(i) == 1.0);
    } else {
      const double expected = std::sqrt(sum_squares(i) / active_points(i));
      CHECK(std::abs(units.state_scale(i) - expected) <= 1e-12 * expected);
    }
  }
  CHECK(units.state_scale(75) == 1.0);
  const double expected_action = std::sqrt(action_squares / points);
  CHECK(std::abs(units.action_scale - expected_action) <= 1e-12 * expected_action);

  Eigen::MatrixXd states = Eigen::MatrixXd::Ones(2, l2o::kStateDim);
  units.scale_states(states);
  CHECK((states.row(1).transpose().cwiseProduct(units.state_scale) -
         Eigen::VectorXd::Ones(l2o::kStateDim))
            .cwiseAbs()
            .maxCoeff() <= 1e-15);
  Eigen::MatrixXd actions = Eigen::MatrixXd::Constant(1, 2, units.action_scale);
  units.scale_actions(actions);
  CHECK((actions.array() == 1.0).all());

  l2o::ScaledUnits bad = units;
  bad.action_scale = 0.0;
  CHECK_THROWS_AS(bad.check(l2o::kStateDim), std::invalid_argument);
}
