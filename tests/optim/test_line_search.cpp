// Armijo backtracking and the exact quadratic step against closed forms.
#include <catch2/catch.hpp>

#include "optim/function_oracles.hpp"
#include "optim/line_search.hpp"

namespace l2o::test {
namespace {

/// f(x) = 0.5 x^2 in one dimension.
LogCoshQuadraticOracle half_square() {
  return {Eigen::MatrixXd::Identity(1, 1), Eigen::VectorXd::Zero(1), 0.0};
}

}  // namespace

TEST_CASE("Armijo backtracking accepts the first step with sufficient decrease", "[optim]") {
  // From x = 1 along d = -1 (slope -1): steps 8, 4, 2 give f = 24.5, 4.5, 0.5, none below
  // 0.5 - 1e-4 t; step 1 gives f = 0 and is accepted after 4 trials.
  LogCoshQuadraticOracle oracle = half_square();
  const Eigen::VectorXd x = Eigen::VectorXd::Ones(1);
  const Eigen::VectorXd direction = -Eigen::VectorXd::Ones(1);
  Eigen::VectorXd trial(1), trial_gradient(1);
  ArmijoParameters parameters;
  parameters.initial_step = 8.0;

  SECTION("loss-only trials") {
    const LineSearchResult result =
        armijo_backtracking(parameters, oracle, x, 0.5, -1.0, direction, trial, nullptr);
    CHECK(result.accepted);
    CHECK(result.step == 1.0);
    CHECK(trial(0) == 0.0);
    CHECK(oracle.evaluations() == 4);
    CHECK(oracle.calls == 4);
  }
  SECTION("trials with gradients") {
    trial_gradient(0) = 7.0;
    const LineSearchResult result =
        armijo_backtracking(parameters, oracle, x, 0.5, -1.0, direction, trial, &trial_gradient);
    CHECK(result.accepted);
    CHECK(trial_gradient(0) == 0.0);
    CHECK(oracle.evaluations() == 4);
  }
  SECTION("gives up after max_backtracks rejections") {
    parameters.max_backtracks = 2;
    const LineSearchResult result =
        armijo_backtracking(parameters, oracle, x, 0.5, -1.0, direction, trial, nullptr);
    CHECK_FALSE(result.accepted);
    CHECK(result.step == 0.0);
    CHECK(oracle.evaluations() == 3);
  }
}

TEST_CASE("the exact quadratic step minimises a quadratic along the direction", "[optim]") {
  const Eigen::Index n = 5;
  LogCoshQuadraticOracle oracle(spd_matrix(Eigen::VectorXd::LinSpaced(n, 0.5, 4.0), 31),
                                normal_vector(n, 32), 0.0);
  const Eigen::VectorXd x = normal_vector(n, 33);
  const Eigen::VectorXd direction = normal_vector(n, 34);
  const Eigen::VectorXd gradient = oracle.a() * x - oracle.b();
  const double slope = gradient.dot(direction);
  Eigen::VectorXd trial(n), workspace(n);
  const LineSearchResult result =
      quadratic_exact_step(oracle, x, slope, direction, trial, workspace);
  const double expected = -slope / direction.dot(oracle.a() * direction);  // N&W eq. 5.7
  CHECK(result.accepted);
  CHECK(result.step == Approx(expected).epsilon(1e-12));
  CHECK((trial - (x + expected * direction)).norm() <= 1e-12 * trial.norm());
  CHECK(oracle.evaluations() == 1);

  SECTION("refuses negative curvature") {
    LogCoshQuadraticOracle concave(-Eigen::MatrixXd::Identity(n, n), Eigen::VectorXd::Zero(n), 0.0);
    const double concave_slope = (-x).dot(direction);
    CHECK_FALSE(
        quadratic_exact_step(concave, x, concave_slope, direction, trial, workspace).accepted);
  }
}

TEST_CASE("ArmijoParameters::check names the bad field", "[optim]") {
  using Catch::Matchers::Contains;
  ArmijoParameters parameters;
  CHECK_NOTHROW(parameters.check("cg"));
  parameters.shrink = 1.0;
  CHECK_THROWS_WITH(parameters.check("cg"), Contains("cg.shrink must be in (0, 1)"));
  parameters = {};
  parameters.initial_step = 0.0;
  CHECK_THROWS_AS(parameters.check("lbfgs"), std::invalid_argument);
  CHECK_THROWS_WITH(parameters.check("lbfgs"), Contains("lbfgs.initial_step"));
  parameters = {};
  parameters.max_backtracks = -1;
  CHECK_THROWS_WITH(parameters.check("cg"), Contains("cg.max_backtracks must be >= 0 (got -1)"));
}

}  // namespace l2o::test
