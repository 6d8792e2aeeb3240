// The cost model's curvature from the realised objective (objective_curvature.hpp): the terms of
// one rollout, the defining property (the quadratic model reproduces the objective's change),
// and agreement with the secant on a quadratic objective.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "gps/fit/objective_curvature.hpp"
#include "util/random_stream.hpp"

namespace {

constexpr int kHorizon = 12;

/// One group of `points` recorded coordinates with scaled actions and raw gradients drawn at
/// random.
l2o::GroupRolloutRecord random_group(Eigen::Index points, std::uint64_t seed) {
  l2o::RandomStream random(seed, "test-objective-curvature");
  l2o::GroupRolloutRecord record;
  record.actions.resize(points, kHorizon);
  record.true_gradients.resize(points, kHorizon + 1);
  for (Eigen::Index i = 0; i < record.actions.size(); ++i) record.actions(i) = random.normal();
  for (Eigen::Index i = 0; i < record.true_gradients.size(); ++i) {
    record.true_gradients(i) = random.normal();
  }
  return record;
}

/// f = 1/2 x^T H x with H = R R^T / d (R standard normal) and a standard normal x, from `random`.
struct RandomQuadratic {
  Eigen::MatrixXd hessian;
  Eigen::VectorXd x;
};
RandomQuadratic random_quadratic(Eigen::Index coordinates, l2o::RandomStream& random) {
  Eigen::MatrixXd root(coordinates, coordinates);
  for (Eigen::Index i = 0; i < root.size(); ++i) root(i) = random.normal();
  RandomQuadratic f{root * root.transpose() / static_cast<double>(coordinates),
                    Eigen::VectorXd(coordinates)};
  for (Eigen::Index j = 0; j < coordinates; ++j) f.x(j) = random.normal();
  return f;
}

}  // namespace

TEST_CASE("Objective curvature: the terms weight each group's recorded coordinates by n_g / P_g",
          "[objective_curvature]") {
  const std::vector<l2o::GroupRolloutRecord> groups{random_group(4, 1), random_group(3, 2)};
  const std::vector<double> scales{0.5, 2.0};
  const std::vector<Eigen::Index> sizes{40, 3};
  std::vector<double> objective(kHorizon + 1);
  for (int t = 0; t <= kHorizon; ++t) objective[t] = 1.0 / (1.0 + t);
  const l2o::ObjectiveCurvatureTerms terms =
      l2o::objective_curvature_terms(groups, scales, sizes, objective);
  for (int t = 0; t < kHorizon; ++t) {
    double first = 0.0;
    double squared = 0.0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const double weight = static_cast<double>(sizes[g]) / groups[g].actions.rows();
      for (Eigen::Index j = 0; j < groups[g].actions.rows(); ++j) {
        const double step = scales[g] * groups[g].actions(j, t);
        first += weight * step * groups[g].true_gradients(j, t);
        squared += weight * step * step;
      }
    }
    CHECK(terms.objective_change(t) == objective[t + 1] - objective[t]);
    CHECK(terms.first_order(t) == Approx(first).epsilon(1e-14));
    CHECK(terms.squared_step(t) == Approx(squared).epsilon(1e-14));
  }
}

TEST_CASE("Objective curvature: with window 0 the quadratic model reproduces every step's change",
          "[objective_curvature]") {
  l2o::RandomStream random(3, "test-objective-curvature-property");
  std::vector<l2o::ObjectiveCurvatureTerms> rollouts;
  for (int n = 0; n < 3; ++n) {
    l2o::ObjectiveCurvatureTerms terms{Eigen::VectorXd(kHorizon), Eigen::VectorXd(kHorizon),
                                       Eigen::VectorXd(kHorizon)};
    for (int t = 0; t < kHorizon; ++t) {
      terms.first_order(t) = -1.0 - random.uniform();
      terms.squared_step(t) = 0.5 + random.uniform();
      // Delta f above the first-order term (convex steps): h_t > 0 explains the difference.
      terms.objective_change(t) = terms.first_order(t) + 0.3 * random.uniform();
    }
    rollouts.push_back(terms);
  }
  const Eigen::VectorXd h = l2o::objective_curvature(rollouts, 0);
  for (int t = 0; t < kHorizon; ++t) {
    double realised = 0.0;
    double modelled = 0.0;
    for (const auto& terms : rollouts) {
      realised += terms.objective_change(t);
      modelled += terms.first_order(t) + 0.5 * h(t) * terms.squared_step(t);
    }
    CHECK(h(t) > 0.0);
    CHECK(modelled == Approx(realised).epsilon(1e-12));
  }
  // A window pools the steps; a decrease below the first-order term clips h at 0.
  const Eigen::VectorXd pooled = l2o::objective_curvature(rollouts, 2);
  double residual = 0.0;
  double squared = 0.0;
  for (const auto& terms : rollouts) {
    residual += (terms.objective_change - terms.first_order).head(3).sum();
    squared += terms.squared_step.head(3).sum();
  }
  CHECK(pooled(0) == Approx(2.0 * residual / squared).epsilon(1e-12));
  rollouts.front().objective_change.setConstant(-100.0);
  CHECK(l2o::objective_curvature(rollouts, 0).minCoeff() == 0.0);
}

TEST_CASE("Objective curvature: on a quadratic it is the secant a^T H a / |a|^2 of the joint move",
          "[objective_curvature]") {
  // f = 1/2 x^T H x, every coordinate recorded in one group: Delta f = a.g + a^T H a / 2 exactly.
  constexpr Eigen::Index kCoordinates = 6;
  l2o::RandomStream random(4, "test-objective-curvature-quadratic");
  const RandomQuadratic f = random_quadratic(kCoordinates, random);
  const Eigen::MatrixXd& hessian = f.hessian;
  Eigen::VectorXd x = f.x;
  l2o::GroupRolloutRecord record;
  record.actions.resize(kCoordinates, kHorizon);
  record.true_gradients.resize(kCoordinates, kHorizon + 1);
  std::vector<double> objective;
  std::vector<double> secant;
  for (int t = 0; t <= kHorizon; ++t) {
    record.true_gradients.col(t) = hessian * x;
    objective.push_back(0.5 * x.dot(hessian * x));
    if (t == kHorizon) break;
    Eigen::VectorXd step(kCoordinates);
    for (Eigen::Index j = 0; j < kCoordinates; ++j) step(j) = 0.1 * random.normal();
    record.actions.col(t) = step / 0.25;  // scaled actions, sigma_a = 0.25
    secant.push_back(step.dot(hessian * step) / step.squaredNorm());
    x += step;
  }
  const std::vector<l2o::GroupRolloutRecord> groups{record};
  const std::vector<double> scales{0.25};
  const std::vector<Eigen::Index> sizes{kCoordinates};
  const Eigen::VectorXd h = l2o::objective_curvature(
      {l2o::objective_curvature_terms(groups, scales, sizes, objective)}, 0);
  for (int t = 0; t < kHorizon; ++t) CHECK(h(t) == Approx(secant[t]).epsilon(1e-9));
}

TEST_CASE("Group objective curvature: a group's own change and its interaction with earlier groups",
          "[objective_curvature]") {
  // f = 1/2 x^T H x over two groups (coordinates 0-2 and 3-5) that move one after the other:
  // group k's change is a_k.g_t + a_k^T H_{k,<k} a_{<k} + a_k^T H_kk a_k / 2, so with window 0
  // its h_t is (a_k^T H_kk a_k + 2 a_k^T H_{k,<k} a_{<k}) / |a_k|^2 (sigma_a = 0.5).
  constexpr Eigen::Index kCoordinates = 6;
  constexpr double kScale = 0.5;
  l2o::RandomStream random(5, "test-group-objective-curvature");
  const RandomQuadratic f = random_quadratic(kCoordinates, random);
  const Eigen::MatrixXd& hessian = f.hessian;
  Eigen::VectorXd x = f.x;
  std::vector<l2o::GroupRolloutRecord> groups(2);
  for (auto& group : groups) {
    group.actions.resize(3, kHorizon);
    group.true_gradients.resize(3, kHorizon + 1);
    group.objective_changes.resize(kHorizon);
  }
  Eigen::MatrixXd expected(2, kHorizon);
  for (int t = 0; t <= kHorizon; ++t) {
    const Eigen::VectorXd g = hessian * x;
    for (int k = 0; k < 2; ++k) groups[k].true_gradients.col(t) = g.segment(3 * k, 3);
    if (t == kHorizon) break;
    Eigen::VectorXd step = Eigen::VectorXd::Zero(kCoordinates);
    for (int k = 0; k < 2; ++k) {
      Eigen::VectorXd own = Eigen::VectorXd::Zero(kCoordinates);
      for (Eigen::Index j = 0; j < 3; ++j) own(3 * k + j) = 0.1 * random.normal();
      groups[k].actions.col(t) = own.segment(3 * k, 3) / kScale;
      const Eigen::VectorXd before = x + step;
      groups[k].objective_changes(t) =
          0.5 * (before + own).dot(hessian * (before + own)) - 0.5 * before.dot(hessian * before);
      expected(k, t) = (own.dot(hessian * own) + 2.0 * own.dot(hessian * step)) / own.squaredNorm();
      step += own;
    }
    x += step;
  }
  for (int k = 0; k < 2; ++k) {
    INFO("group " << k);
    const l2o::ObjectiveCurvatureTerms terms =
        l2o::group_objective_curvature_terms(groups[k], kScale, 3);
    const Eigen::VectorXd h = l2o::objective_curvature({terms}, 0);
    for (int t = 0; t < kHorizon; ++t) {
      CHECK(h(t) == Approx(std::max(0.0, expected(k, t))).margin(1e-9));
    }
  }
  l2o::GroupRolloutRecord unmeasured = groups[0];
  unmeasured.objective_changes.resize(0);
  CHECK_THROWS_AS(l2o::group_objective_curvature_terms(unmeasured, kScale, 3),
                  std::invalid_argument);
}
