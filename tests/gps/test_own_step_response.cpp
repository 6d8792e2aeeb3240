// The own-step response of the local model and its rank-1 correction (own_step_response.hpp).
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>

#include "gps/features/features.hpp"
#include "gps/fit/own_step_response.hpp"
#include "util/random_stream.hpp"

namespace {

constexpr int kHorizon = 12;
constexpr int kN = l2o::kStateDim;
constexpr double kActionScale = 0.03;

// Random dynamics and cost-model weights with the spec's sparsity: w_t and the rows of B_t on A(t)
// only; h_t > 0; w_5 = 0 (a step whose gradient model reads nothing off the state).
struct Model {
  l2o::LinearGaussianDynamics dynamics{kN, kHorizon};
  l2o::CostModelFit cost{
      l2o::QuadraticCost(kN, kHorizon), l2o::RowMajorMatrixXd::Zero(kHorizon, kN),
      Eigen::VectorXd::Zero(kHorizon),  Eigen::VectorXd::Zero(kHorizon),
      Eigen::VectorXd::Zero(kHorizon),  Eigen::VectorXd::Zero(kHorizon),
      Eigen::VectorXd::Zero(kHorizon)};
  Model() {
    l2o::RandomStream random(3, "test-own-step");
    for (int t = 0; t < kHorizon; ++t) {
      cost.curvature(t) = 0.1 + random.uniform();
      for (int i : l2o::active_set(t)) cost.gradient_weights(t, i) = t == 5 ? 0.0 : random.normal();
      if (t + 1 < kHorizon) {
        for (int i : l2o::active_set(t + 1)) dynamics.transition[t](i, kN) = 0.01 * random.normal();
      }
    }
  }
};

}  // namespace

TEST_CASE("Own-step response: w_{t+1}^T B_t / sigma_a, and the correction makes it h_t",
          "[gps_own_step]") {
  Model model;
  const Eigen::VectorXd before = l2o::own_step_response(model.dynamics, model.cost, kActionScale);
  REQUIRE(before.size() == kHorizon - 1);
  for (int t = 0; t + 1 < kHorizon; ++t) {
    double expected = 0.0;
    for (int i = 0; i < kN; ++i) {
      expected += model.cost.gradient_weights(t + 1, i) * model.dynamics.transition[t](i, kN);
    }
    CHECK(before(t) == Approx(expected / kActionScale).epsilon(1e-13));
  }
  l2o::LinearGaussianDynamics corrected = model.dynamics;
  l2o::match_own_step_response(corrected, model.cost, kActionScale);
  const Eigen::VectorXd after = l2o::own_step_response(corrected, model.cost, kActionScale);
  for (int t = 0; t + 1 < kHorizon; ++t) {
    INFO("t = " << t);
    const Eigen::VectorXd change =
        corrected.transition[t].col(kN) - model.dynamics.transition[t].col(kN);
    if (t + 1 == 5) {  // w_5 = 0: nothing to match, B_4 unchanged
      CHECK(change.isZero(0.0));
      continue;
    }
    CHECK(after(t) == Approx(model.cost.curvature(t)).epsilon(1e-12));
    // Minimum norm: the change is parallel to w_{t+1}, so it stays on A(t+1).
    const Eigen::VectorXd w = model.cost.gradient_weights.row(t + 1).transpose();
    CHECK((change - w * (w.dot(change) / w.squaredNorm())).norm() <= 1e-14 * change.norm());
    for (int i = 0; i < kN; ++i) {
      if (!l2o::is_active(i, t + 1)) CHECK(corrected.transition[t](i, kN) == 0.0);
    }
    // A and c are untouched.
    CHECK(corrected.transition[t].leftCols(kN) == model.dynamics.transition[t].leftCols(kN));
  }
}
