// Step-size rule of the trust region (gps-spec.md §10, §17 S1).
#include <catch2/catch.hpp>

#include "gps/lqg/step_size.hpp"
#include "gps/test_lqg_fixtures.hpp"

namespace {

TEST_CASE("S1 step-size ratio and multiplier clamping", "[step_size]") {
  const l2o::StepSizeParams params;
  CHECK(l2o::step_size_ratio({1.0, 1.0}, params) == 5.0);
  CHECK(l2o::step_size_ratio({1.0, 0.5}, params) == 1.0);
  CHECK(l2o::step_size_ratio({1.0, 0.0}, params) == 0.5);
  CHECK(l2o::step_size_ratio({1.0, -1.0}, params) == 0.25);
  CHECK(l2o::step_size_ratio({-1.0, -1.0}, params) == 0.1);  // predicted worsening: clip below
  CHECK(l2o::adapt_step_multiplier(1.0, {1.0, 0.5}, params) == 1.0);
  CHECK(l2o::adapt_step_multiplier(4.0, {1.0, 1.0}, params) == 10.0);
  CHECK(l2o::adapt_step_multiplier(0.05, {1.0, -1.0}, params) == 0.0125);
  CHECK(l2o::adapt_step_multiplier(0.05, {-1.0, -1.0}, params) == 0.01);
  l2o::StepSizeParams bad;
  bad.multiplier_max = 0.001;
  CHECK_THROWS_WITH(bad.check(), Catch::Contains("multiplier_max"));
}

TEST_CASE("Predicted equals actual improvement when the model did not change", "[step_size]") {
  constexpr Eigen::Index kHorizon = 10;
  const auto dynamics = l2o::test::scalar_dynamics(kHorizon, 0.9, 1.0, 0.0, 1e-4, 1.0, 0.01);
  const auto cost = l2o::test::scalar_cost(kHorizon, 1.0, 0.1);
  const auto linearisation = l2o::test::scalar_policy(kHorizon, -0.3, 0.0, 0.25);
  const auto previous = l2o::test::scalar_policy(kHorizon, -0.1, 0.0, 0.25);
  const auto current = l2o::test::scalar_policy(kHorizon, -0.5, 0.0, 0.2);
  const Eigen::VectorXd nu = Eigen::VectorXd::Constant(kHorizon, 0.5);
  const l2o::LqgModel model{dynamics, cost, linearisation};
  l2o::LqgForwardPass forward(1, kHorizon);
  const auto same = l2o::step_improvement(previous, current, model, model, nu, forward, {});
  CHECK(same.actual == same.predicted);
  CHECK(same.predicted > 0.0);  // -0.5 is closer to the optimal gain of this cost than -0.1
  // A costlier current model lowers the actual improvement by the cost difference.
  const auto costly = l2o::test::scalar_cost(kHorizon, 2.0, 0.1);
  const l2o::LqgModel costly_model{dynamics, costly, linearisation};
  const auto worse = l2o::step_improvement(previous, current, model, costly_model, nu, forward, {});
  CHECK(worse.predicted == same.predicted);
  CHECK(worse.actual < worse.predicted);
}

}  // namespace
