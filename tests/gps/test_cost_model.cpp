// Cost model (gps-spec.md §4, §17 C1-C3): trapezoid attribution, telescoped meta-loss, exact
// recovery of the gradient model and curvature, the cost matrices and the normaliser.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <cmath>
#include <vector>

#include "gps/fit/cost_model.hpp"
#include "util/random_stream.hpp"

namespace {

struct Quadratic {
  Eigen::MatrixXd hessian;
  Eigen::VectorXd linear;
  [[nodiscard]] double value(const Eigen::VectorXd& x) const {
    return 0.5 * x.dot(hessian * x) + linear.dot(x);
  }
  [[nodiscard]] Eigen::VectorXd gradient(const Eigen::VectorXd& x) const {
    return hessian * x + linear;
  }
};

Quadratic random_quadratic(int dim, std::uint64_t seed) {
  l2o::RandomStream random(seed, "test_cost_quadratic");
  Eigen::MatrixXd root(dim, dim);
  for (Eigen::Index i = 0; i < root.size(); ++i) root(i) = random.normal();
  Quadratic q{root * root.transpose() / dim + 0.1 * Eigen::MatrixXd::Identity(dim, dim),
              Eigen::VectorXd(dim)};
  for (int i = 0; i < dim; ++i) q.linear(i) = random.normal();
  return q;
}

}  // namespace

TEST_CASE("C1: trapezoid attribution is exact for a quadratic objective", "[cost]") {
  const Quadratic f = random_quadratic(8, 1);
  l2o::RandomStream random(2, "test_cost_c1");
  for (int trial = 0; trial < 5; ++trial) {
    Eigen::VectorXd x(8), a(8);
    for (int i = 0; i < 8; ++i) {
      x(i) = random.normal();
      a(i) = 0.3 * random.normal();
    }
    const double improvement = f.value(x + a) - f.value(x);
    const double attributed = l2o::trapezoid_improvement(a, f.gradient(x), f.gradient(x + a));
    CHECK(std::abs(attributed - improvement) <= 1e-12 * std::abs(improvement));
  }
}

TEST_CASE("C3: the telescoped meta-loss equals the sum of f over a recorded rollout", "[cost]") {
  const Quadratic f = random_quadratic(10, 3);
  constexpr int kHorizon = 60;
  Eigen::VectorXd x = Eigen::VectorXd::Constant(10, 2.0);
  std::vector<double> objective{f.value(x)};
  std::vector<double> attributed;
  for (int t = 0; t < kHorizon; ++t) {  // gradient descent with a varying step
    const Eigen::VectorXd step = -(0.05 + 0.002 * t) * f.gradient(x);
    attributed.push_back(l2o::trapezoid_improvement(step, f.gradient(x), f.gradient(x + step)));
    x += step;
    objective.push_back(f.value(x));
  }
  const double meta = l2o::meta_loss(objective);
  double direct = 0.0;
  for (int t = 1; t <= kHorizon; ++t) direct += objective[t];
  CHECK(meta == direct);
  CHECK(std::abs(l2o::telescoped_meta_loss(objective[0], attributed) - meta) <=
        1e-12 * std::abs(meta));
}

namespace {

constexpr int kHorizon = 140;
constexpr double kActionScale = 0.5;

// g_t = w* . s_t + w0*, and actions chosen so that g_{t+1} - g_t = h* a_raw exactly.
l2o::TransitionStatistics exact_cost_statistics(const Eigen::VectorXd& w, double w0, double h,
                                                std::vector<l2o::GroupRolloutRecord>* records) {
  l2o::TransitionStatistics statistics(kHorizon);
  for (int n = 0; n < 3; ++n) {
    l2o::RandomStream random(31, "test_cost_c2", {static_cast<std::uint64_t>(n)});
    const Eigen::Index points = 30;
    l2o::GroupRolloutRecord record;
    record.actions.resize(points, kHorizon);
    record.true_gradients.resize(points, kHorizon + 1);
    for (int t = 0; t <= kHorizon; ++t) {
      Eigen::MatrixXd s(points, l2o::kStateDim);
      for (Eigen::Index j = 0; j < points; ++j) {
        for (int i = 0; i < l2o::kStateDim; ++i) {
          s(j, i) = l2o::is_active(i, std::min(t, kHorizon - 1)) ? random.normal() : 0.0;
        }
      }
      record.true_gradients.col(t) = (s * w).array() + w0;
      if (t < kHorizon) record.states.push_back(s);
    }
    for (int t = 0; t < kHorizon; ++t) {
      record.actions.col(t) =
          (record.true_gradients.col(t + 1) - record.true_gradients.col(t)) / (h * kActionScale);
    }
    statistics.add_rollout(record);
    if (records != nullptr) records->push_back(record);
  }
  return statistics;
}

}  // namespace

TEST_CASE("C2: exact gradient model and curvature are recovered, h < 0 is clipped", "[cost]") {
  l2o::RandomStream random(32, "test_cost_truth");
  Eigen::VectorXd w(l2o::kStateDim);
  for (int i = 0; i < l2o::kStateDim; ++i) w(i) = random.normal();
  const double w0 = 0.7;
  const double h = 0.4;
  std::vector<l2o::GroupRolloutRecord> records;
  const auto statistics = exact_cost_statistics(w, w0, h, &records);
  l2o::CostModelParams params;
  params.ridge = 0.0;
  const l2o::CostModelFit fit = l2o::fit_cost_model(statistics, kActionScale, 1.0, params, {0, 0});
  for (int t = 0; t < kHorizon; ++t) {
    INFO("t = " << t);
    REQUIRE(std::abs(fit.curvature(t) - h) < 1e-10);
    // The model on A(t) is exact only if no component activates inside W^c_t: at a later t'
    // in the window g also depends on the components that A(t) leaves out (§4 item 1).
    if (l2o::active_count(std::min(t + 2, kHorizon - 1)) != l2o::active_count(t)) continue;
    for (int i = 0; i < l2o::kStateDim; ++i) {
      REQUIRE(std::abs(fit.gradient_weights(t, i) - (l2o::is_active(i, t) ? w(i) : 0.0)) < 1e-10);
    }
    REQUIRE(std::abs(fit.gradient_offset(t) - w0) < 1e-10);
    REQUIRE(fit.gradient_r_squared(t) > 1.0 - 1e-10);
  }

  // C_t, d_t of §4 item 3 at one step, and the mean step cost against the points.
  constexpr int kT = 130;
  const double weight = static_cast<double>(kHorizon - kT) / kHorizon;
  const Eigen::MatrixXd& hessian = fit.cost.hessian[kT];
  CHECK(hessian.topLeftCorner(76, 76).isZero(0.0));
  CHECK((hessian.col(76).head(76) - weight * kActionScale * w).cwiseAbs().maxCoeff() < 1e-10);
  CHECK((hessian.row(76).head(76).transpose() - weight * kActionScale * w).cwiseAbs().maxCoeff() <
        1e-10);
  CHECK(std::abs(hessian(76, 76) - weight * kActionScale * kActionScale * h) < 1e-10);
  CHECK(fit.cost.gradient[kT].head(76).isZero(0.0));
  CHECK(std::abs(fit.cost.gradient[kT](76) - weight * kActionScale * w0) < 1e-10);
  double cost_sum = 0.0;
  double points = 0.0;
  for (const auto& record : records) {
    for (Eigen::Index j = 0; j < record.actions.rows(); ++j) {
      Eigen::VectorXd z(77);
      z << record.states[kT].row(j).transpose(), record.actions(j, kT);
      cost_sum += 0.5 * z.dot(hessian * z) + fit.cost.gradient[kT].dot(z);
      points += 1.0;
    }
  }
  CHECK(std::abs(fit.mean_step_cost(kT) - cost_sum / points) < 1e-9 * std::abs(cost_sum / points));

  // The normaliser makes the mean |per-step cost| exactly 1.
  const double gamma = l2o::cost_normaliser(fit);
  const l2o::CostModelFit normalised =
      l2o::fit_cost_model(statistics, kActionScale, gamma, params, {0, 0});
  CHECK(std::abs(normalised.mean_step_cost.cwiseAbs().mean() - 1.0) < 1e-12);

  const auto concave = exact_cost_statistics(w, w0, -0.4, nullptr);
  const l2o::CostModelFit clipped = l2o::fit_cost_model(concave, kActionScale, 1.0, params, {});
  CHECK(clipped.curvature.isZero(0.0));
}

TEST_CASE("Cost model parameters and degenerate data are rejected with context", "[cost]") {
  l2o::CostModelParams params;
  params.curvature_window = -1;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("curvature_window"));
  l2o::TransitionStatistics statistics(3);
  l2o::GroupRolloutRecord record;
  for (int t = 0; t < 3; ++t) record.states.push_back(Eigen::MatrixXd::Ones(4, l2o::kStateDim));
  record.actions = Eigen::MatrixXd::Ones(4, 3);
  record.true_gradients = Eigen::MatrixXd::Ones(4, 4);
  statistics.add_rollout(record);
  // Constant states: the normal matrix [s 1]^T [s 1] is singular without ridge.
  l2o::CostModelParams no_ridge;
  no_ridge.ridge = 0.0;
  CHECK_THROWS_WITH(l2o::fit_cost_model(statistics, 1.0, 1.0, no_ridge, {1, 7}),
                    Catch::Contains("group 1") && Catch::Contains("iteration 7") &&
                        Catch::Contains("time step 0"));
}
