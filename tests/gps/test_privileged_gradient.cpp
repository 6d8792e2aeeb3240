// The privileged gradient state (issue 16 item 1, candidate a; privileged_gradient.hpp) and the
// closed-form check of the local model: on a quadratic objective, the improvement the fitted
// model predicts for a changed linear controller against the realised expected improvement,
// computed independently by propagating the exact mean and covariance of the iterate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/own_step_response.hpp"
#include "gps/fit/privileged_gradient.hpp"
#include "gps/lqg/lqg_laplace_estimate.hpp"
#include "util/random_stream.hpp"

namespace {

constexpr int kHorizon = 30;
constexpr int kStateDim = l2o::kStateDim + 1;  // §3.1's features (zero here), then g_t
constexpr int kGradient = l2o::kStateDim;      // p
constexpr double kGradientScale = 0.4;         // sigma_p
constexpr double kActionScale = 0.2;           // sigma_a
constexpr Eigen::Index kCoordinates = 60;      // one rollout's coordinates, all recorded
constexpr int kRollouts = 40;

/// f(x) = 1/2 x^T H x over the coordinates of one group.
struct Quadratic {
  Eigen::MatrixXd hessian;
  [[nodiscard]] double expected_value(const Eigen::VectorXd& mean,
                                      const Eigen::MatrixXd& cov) const {
    return 0.5 * (mean.dot(hessian * mean) + (hessian * cov).trace());
  }
};

/// A controller on the privileged gradient alone, in scaled units: a = K_t s_p + k_t + sqrt(G_t)
/// eps.
l2o::LinearGaussianPolicy gradient_controller(double gain, double bias, double variance) {
  l2o::LinearGaussianPolicy psi(kStateDim, kHorizon);
  for (int t = 0; t < kHorizon; ++t) {
    psi.gain(t, kGradient) = gain * (1.0 - 0.01 * t);  // time-varying, as psi's are
    psi.bias(t) = bias;
  }
  psi.variance.setConstant(variance);
  return psi;
}

/// x_0: every coordinate N(mean, std^2), independent.
struct InitialPoint {
  double mean = 0.5;
  double std = 1.0;
};

/// The realised expected improvement's ingredient, in closed form: the expected mean objective
/// over the horizon minus the initial one, (1/T) sum_{t=1..T} E f(x_t) - E f(x_0), per coordinate,
/// for x' = x + sigma_a (K_t H x / sigma_p + k_t + sqrt(G_t) eps).
double expected_meta_loss_change(const Quadratic& f, const l2o::LinearGaussianPolicy& psi,
                                 const InitialPoint& start) {
  const Eigen::Index d = f.hessian.rows();
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(d, d);
  Eigen::VectorXd mean = Eigen::VectorXd::Constant(d, start.mean);
  Eigen::MatrixXd cov = start.std * start.std * identity;
  const double initial = f.expected_value(mean, cov);
  double total = 0.0;
  for (int t = 0; t < kHorizon; ++t) {
    const Eigen::MatrixXd step =
        identity + kActionScale * psi.gain(t, kGradient) / kGradientScale * f.hessian;
    mean = step * mean + Eigen::VectorXd::Constant(d, kActionScale * psi.bias(t));
    cov = step * cov * step.transpose() + kActionScale * kActionScale * psi.variance(t) * identity;
    total += f.expected_value(mean, cov);
  }
  return (total / kHorizon - initial) / static_cast<double>(d);
}

/// Statistics of kRollouts rollouts of `psi` on f, recorded like the GPS recorder does (scaled
/// states and actions, raw cost-set gradients; §3.1's 76 features are zero).
l2o::TransitionStatistics record_rollouts(const Quadratic& f, const l2o::LinearGaussianPolicy& psi,
                                          const InitialPoint& start, std::uint64_t seed) {
  l2o::TransitionStatistics statistics(kHorizon, kStateDim);
  for (int n = 0; n < kRollouts; ++n) {
    l2o::RandomStream random(seed, "test-privileged-rollout", {static_cast<std::uint64_t>(n)});
    Eigen::VectorXd x(kCoordinates);
    for (Eigen::Index j = 0; j < kCoordinates; ++j) x(j) = start.mean + start.std * random.normal();
    l2o::GroupRolloutRecord record;
    record.actions.resize(kCoordinates, kHorizon);
    record.true_gradients.resize(kCoordinates, kHorizon + 1);
    record.gradient_curvatures.resize(kCoordinates, kHorizon);
    for (int t = 0; t <= kHorizon; ++t) {
      const Eigen::VectorXd g = f.hessian * x;
      record.true_gradients.col(t) = g;
      if (t == kHorizon) break;
      record.gradient_curvatures.col(t) = f.hessian * g;
      Eigen::MatrixXd s = Eigen::MatrixXd::Zero(kCoordinates, kStateDim);
      s.col(kGradient) = g / kGradientScale;
      record.states.push_back(s);
      for (Eigen::Index j = 0; j < kCoordinates; ++j) {
        const double a = psi.gain(t, kGradient) * s(j, kGradient) + psi.bias(t) +
                         std::sqrt(psi.variance(t)) * random.normal();
        record.actions(j, t) = a;
        x(j) += kActionScale * a;
      }
    }
    statistics.add_rollout(record);
  }
  return statistics;
}

/// The local model fitted to `statistics` with the privileged gradient, as fit_group builds it.
struct PrivilegedModel {
  l2o::DynamicsFit dynamics;
  l2o::CostModelFit cost;
  l2o::LinearGaussianPolicy no_linearisation{kStateDim, kHorizon};
};

PrivilegedModel fit_privileged_model(
    const l2o::TransitionStatistics& statistics,
    l2o::CurvatureEstimate curvature = l2o::CurvatureEstimate::secant) {
  const l2o::PrivilegedGradient privileged{kGradient, kGradientScale};
  l2o::CostModelParams cost;
  cost.curvature = curvature;
  PrivilegedModel model{
      l2o::fit_dynamics(statistics, {}, {0, 0}),
      l2o::fit_cost_model(statistics, kActionScale, 1.0, cost, {0, 0}, &privileged)};
  l2o::impose_privileged_gradient_dynamics(model.dynamics.dynamics, statistics,
                                           model.cost.curvature, privileged, kActionScale);
  return model;
}

/// J-hat of psi under the model (§7.7) with nu = 0: one coordinate's predicted change of the mean
/// objective over the horizon (gamma = 1).
double predicted_cost(const PrivilegedModel& model, const l2o::LinearGaussianPolicy& psi) {
  l2o::LqgForwardPass forward(kStateDim, kHorizon);
  const l2o::LqgModel lqg{model.dynamics.dynamics, model.cost.cost, model.no_linearisation};
  return l2o::laplace_estimate(psi, lqg, Eigen::VectorXd::Zero(kHorizon), forward, {}).cost;
}

struct Improvements {
  double predicted;
  double realised;
};

/// Fit on psi's rollouts, then the predicted and realised improvement of psi_new over psi.
Improvements improvements(const Quadratic& f, const l2o::LinearGaussianPolicy& psi,
                          const l2o::LinearGaussianPolicy& psi_new, const InitialPoint& start,
                          l2o::CurvatureEstimate curvature = l2o::CurvatureEstimate::secant) {
  const PrivilegedModel model = fit_privileged_model(record_rollouts(f, psi, start, 7), curvature);
  return {predicted_cost(model, psi) - predicted_cost(model, psi_new),
          expected_meta_loss_change(f, psi, start) - expected_meta_loss_change(f, psi_new, start)};
}

}  // namespace

TEST_CASE("Privileged gradient: exact read-out, dynamics with the cost's curvature, consistent",
          "[privileged]") {
  const Quadratic f{0.8 * Eigen::MatrixXd::Identity(kCoordinates, kCoordinates)};
  const auto statistics =
      record_rollouts(f, gradient_controller(-0.3, 0.0, 0.25), InitialPoint{}, 3);
  const PrivilegedModel model = fit_privileged_model(statistics);
  for (int t = 0; t < kHorizon; ++t) {
    INFO("t = " << t);
    REQUIRE(model.cost.gradient_weights(t, kGradient) == kGradientScale);
    REQUIRE(model.cost.gradient_weights.row(t).cwiseAbs().sum() == kGradientScale);
    REQUIRE(model.cost.gradient_offset(t) == 0.0);
    REQUIRE(model.cost.gradient_r_squared(t) > 1.0 - 1e-9);
    REQUIRE(model.cost.curvature(t) == Approx(0.8).epsilon(1e-9));
  }
  // A curvature given by the caller (gps.curvature = "objective") replaces the secant.
  const Eigen::VectorXd given = Eigen::VectorXd::LinSpaced(kHorizon, 0.1, 0.7);
  const l2o::PrivilegedGradient privileged{kGradient, kGradientScale};
  const l2o::CostModelFit with_given =
      l2o::fit_cost_model(statistics, kActionScale, 1.0, {}, {0, 0}, &privileged, &given);
  CHECK(with_given.curvature == given);
  const Eigen::VectorXd response =
      l2o::own_step_response(model.dynamics.dynamics, model.cost, kActionScale);
  for (int t = 0; t + 1 < kHorizon; ++t) {
    INFO("t = " << t);
    const Eigen::MatrixXd& transition = model.dynamics.dynamics.transition[t];
    // Row p: g' = g + h sigma_a a, and on a separable quadratic nothing else (c = 0, F = 0).
    REQUIRE(transition(kGradient, kGradient) == Approx(1.0).epsilon(1e-9));
    REQUIRE(transition.row(kGradient).cwiseAbs().sum() ==
            Approx(1.0 + 0.8 * kActionScale / kGradientScale).epsilon(1e-9));
    REQUIRE(std::abs(model.dynamics.dynamics.offset[t](kGradient)) < 1e-9);
    REQUIRE(model.dynamics.dynamics.noise_cov[t](kGradient, kGradient) < 1e-12);
    REQUIRE(model.dynamics.dynamics.noise_cov[t].row(kGradient).cwiseAbs().sum() < 1e-12);
    // The planner's own-step response is the cost model's curvature.
    REQUIRE(response(t) == Approx(model.cost.curvature(t)).epsilon(1e-12));
  }
}

TEST_CASE("Privileged gradient: closed form on a separable quadratic, predicted = realised",
          "[privileged]") {
  // f = 1/2 h sum_j x_j^2: the per-coordinate model is exact, so the prediction misses the
  // realised expected improvement only by the sampling error of the initial state's moments
  // (2,400 points) and the clipping of F_t: within 3 %. Both controllers take steps that use up
  // most of the gradient, where a model blind to that over-predicts without bound.
  const Quadratic f{0.8 * Eigen::MatrixXd::Identity(kCoordinates, kCoordinates)};
  const InitialPoint start;
  const auto psi = gradient_controller(-0.3, 0.0, 0.25);
  for (const auto& psi_new :
       {gradient_controller(-0.6, 0.0, 0.25), gradient_controller(-1.2, 0.02, 0.09),
        gradient_controller(-0.15, -0.05, 0.36)}) {
    const Improvements result = improvements(f, psi, psi_new, start);
    INFO("predicted " << result.predicted << " realised " << result.realised);
    CHECK(std::abs(result.predicted - result.realised) <= 0.03 * std::abs(result.realised));
  }
}

namespace {

/// f = 1/2 x^T (D + u u^T) x with D's diagonal in [0.4, 1.2] and a rank-1 coupling of eigenvalue
/// |u|^2 = `coupling_strength` along a random direction.
Quadratic coupled_quadratic(double coupling_strength) {
  l2o::RandomStream random(11, "test-privileged-hessian");
  Eigen::VectorXd diagonal(kCoordinates);
  Eigen::VectorXd coupling(kCoordinates);
  for (Eigen::Index j = 0; j < kCoordinates; ++j) {
    diagonal(j) = 0.4 + 0.8 * random.uniform();
    coupling(j) = random.normal();
  }
  coupling *= std::sqrt(coupling_strength / coupling.squaredNorm());
  return Quadratic{Eigen::MatrixXd(diagonal.asDiagonal()) + coupling * coupling.transpose()};
}

/// Fits on the rollouts of psi (gain -0.3 on the gradient) and checks the predicted improvement
/// of each changed controller against the realised one within `tolerance` (relative).
void check_predictions(const Quadratic& f, const std::vector<l2o::LinearGaussianPolicy>& changed,
                       double tolerance) {
  const InitialPoint start;
  const auto psi = gradient_controller(-0.3, 0.0, 0.25);
  for (const auto& psi_new : changed) {
    const Improvements result = improvements(f, psi, psi_new, start);
    INFO("predicted " << result.predicted << " realised " << result.realised);
    CHECK(std::abs(result.predicted - result.realised) <= tolerance * std::abs(result.realised));
  }
}

}  // namespace

TEST_CASE("Privileged gradient: closed form on a non-separable quadratic, within 15 %",
          "[privileged]") {
  // A rank-1 coupling of eigenvalue 0.5, inside D's range: the pooled per-coordinate model sees
  // one secant curvature h_t along the joint move where the iterate decays at several rates (the
  // mean-field error of §5.3).
  check_predictions(coupled_quadratic(0.5),
                    {gradient_controller(-0.6, 0.0, 0.25), gradient_controller(-0.15, -0.05, 0.36)},
                    0.15);
}

namespace {

// The changed controllers of the outlier-eigenvalue checks: a larger and a smaller gain on the
// gradient, and one with a bias.
std::vector<l2o::LinearGaussianPolicy> outlier_changes() {
  return {gradient_controller(-0.6, 0.0, 0.25), gradient_controller(-0.45, 0.0, 0.25),
          gradient_controller(-0.15, -0.05, 0.36)};
}

}  // namespace

TEST_CASE("Privileged gradient: an outlier eigenvalue 5x the diagonal's mean, within 25 %",
          "[privileged]") {
  // Like a net's Hessian, one direction much sharper than the rest (eigenvalue 4 against a
  // diagonal of mean 0.8), which the gradient aligns with as the iterate decays. Measured ratios
  // predicted / realised 0.78-0.99 here, 0.64-1.66 at eigenvalue 6 (docs/results/gps.md, issue
  // 16 third session): the mean-field error of a coupled quadratic stays far from the 50-3000x
  // of the training task.
  check_predictions(coupled_quadratic(4.0), outlier_changes(), 0.25);
}

TEST_CASE("Curvature along the gradient: h_t = max(secant, sum g Hg / sum g^2) over the window",
          "[privileged]") {
  // Exploration noise dominates the sampled move, so the secant sees the average curvature
  // (~trace / n) while the gradient concentrates on the stiff direction.
  l2o::RandomStream random(12, "test-curvature-hessian");
  Eigen::VectorXd diagonal(kCoordinates);
  for (Eigen::Index j = 0; j < kCoordinates; ++j) diagonal(j) = 0.4 + 0.8 * random.uniform();
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(kCoordinates);
  const Quadratic f{Eigen::MatrixXd(diagonal.asDiagonal()) +
                    (2.0 / kCoordinates) * ones * ones.transpose()};
  const auto statistics = record_rollouts(f, gradient_controller(-0.3, 0.0, 1.0), {}, 5);
  const PrivilegedModel secant = fit_privileged_model(statistics);
  const PrivilegedModel gradient =
      fit_privileged_model(statistics, l2o::CurvatureEstimate::gradient);
  const l2o::MomentSums& sums = statistics.sums();
  Eigen::MatrixXd gram(sums.u_columns(), sums.u_columns());
  Eigen::MatrixXd cross(sums.v_columns(), sums.u_columns());
  const int g = statistics.gradient_column();
  for (int t = 0; t < kHorizon; ++t) {
    INFO("t = " << t);
    sums.gram(std::max(t - 5, 0), std::min(t + 5, kHorizon - 1), gram);
    sums.cross(std::max(t - 5, 0), std::min(t + 5, kHorizon - 1), cross);
    const double along_gradient = cross(statistics.gradient_curvature_column(), g) / gram(g, g);
    REQUIRE(gradient.cost.curvature(t) ==
            Approx(std::max(secant.cost.curvature(t), along_gradient)).epsilon(1e-12));
    // x_0's mean (0.5 on every coordinate) lies along the stiff direction 1 (eigenvalue ~2.8).
    if (t < 5) REQUIRE(along_gradient > 1.5 * secant.cost.curvature(t));
  }
}

TEST_CASE("Privileged gradient: an outlier eigenvalue 7.5x the diagonal's mean, within 70 %",
          "[privileged]") {
  // The sharpest coupling measured (eigenvalue 6): the mean-field error grows (measured
  // predicted / realised 0.64-1.66) but stays far from the training task's 50x and more.
  check_predictions(coupled_quadratic(6.0), outlier_changes(), 0.7);
}
