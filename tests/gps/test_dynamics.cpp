// Dynamics fits (gps-spec.md §5): D1 noiseless and noisy recovery, D2 the prior limit, the
// per-(group, t) driver with active sets, the initial state, and errors naming their context.
#include <catch2/catch.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <string>

#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/niw_prior.hpp"
#include "util/random_stream.hpp"

namespace {

struct PointSums {
  Eigen::VectorXd sum;
  Eigen::MatrixXd outer;
  double count = 0.0;
  explicit PointSums(Eigen::Index dim)
      : sum(Eigen::VectorXd::Zero(dim)), outer(Eigen::MatrixXd::Zero(dim, dim)) {}
  void add(const Eigen::VectorXd& y) {
    sum += y;
    outer += y * y.transpose();
    count += 1.0;
  }
  [[nodiscard]] l2o::GaussianMoments moments() const {
    return l2o::moments_from_sums(sum, outer, count);
  }
};

// y = [s; a; s'] of the D1 system with noise standard deviation `noise`.
PointSums d1_points(int points, double noise, std::uint64_t seed) {
  Eigen::MatrixXd a(3, 3);
  a << 0.9, 0.1, 0.0, 0.0, 0.8, 0.2, 0.1, 0.0, 0.7;
  Eigen::VectorXd b(3), c(3);
  b << 1.0, 0.5, -0.3;
  c << 0.1, -0.2, 0.05;
  l2o::RandomStream random(seed, "test_dynamics_d1");
  PointSums sums(7);
  for (int n = 0; n < points; ++n) {
    Eigen::VectorXd y(7);
    for (int i = 0; i < 4; ++i) y(i) = random.normal();
    y.tail(3) = a * y.head(3) + b * y(3) + c;
    for (int i = 4; i < 7; ++i) y(i) += noise * random.normal();
    sums.add(y);
  }
  return sums;
}

}  // namespace

TEST_CASE("D1: noiseless and noisy recovery of a 3-dim linear system", "[dynamics]") {
  Eigen::MatrixXd expected(3, 4);
  expected << 0.9, 0.1, 0.0, 1.0, 0.0, 0.8, 0.2, 0.5, 0.1, 0.0, 0.7, -0.3;
  const l2o::GaussianMoments exact = d1_points(200, 0.0, 1).moments();
  const l2o::ConditionalGaussian fit = l2o::niw_regression(exact, exact, 0.0, 4, 0.0);
  CHECK((fit.gain - expected).cwiseAbs().maxCoeff() < 1e-9);
  Eigen::VectorXd expected_offset(3);
  expected_offset << 0.1, -0.2, 0.05;
  CHECK((fit.offset - expected_offset).cwiseAbs().maxCoeff() < 1e-9);
  CHECK(fit.residual_covariance.norm() < 1e-9);
  CHECK(fit.input_rcond > 0.1);

  const l2o::GaussianMoments noisy = d1_points(100000, 0.1, 2).moments();
  const l2o::ConditionalGaussian noisy_fit = l2o::niw_regression(noisy, noisy, 0.0, 4, 0.0);
  // Each entry of the sample covariance of 1e5 points has relative sd sqrt(2/1e5) = 0.45%.
  CHECK((noisy_fit.residual_covariance - 0.01 * Eigen::MatrixXd::Identity(3, 3))
            .cwiseAbs()
            .maxCoeff() < 0.05 * 0.01);
}

TEST_CASE("D2: with huge pseudo-counts the fit conditions the prior covariance", "[dynamics]") {
  const l2o::GaussianMoments empirical = d1_points(50, 0.3, 3).moments();
  // A different prior: random SPD covariance and mean.
  l2o::RandomStream random(4, "test_dynamics_d2");
  Eigen::MatrixXd root(7, 7);
  for (int i = 0; i < 49; ++i) root(i / 7, i % 7) = random.normal();
  l2o::GaussianMoments prior;
  prior.covariance = root * root.transpose() + Eigen::MatrixXd::Identity(7, 7);
  prior.mean = Eigen::VectorXd::Constant(7, 0.7);
  prior.count = 1000.0;
  const l2o::ConditionalGaussian fit = l2o::niw_regression(empirical, prior, 1e12, 4, 0.0);
  const Eigen::MatrixXd& s0 = prior.covariance;
  const Eigen::MatrixXd gain = s0.bottomLeftCorner(3, 4) * s0.topLeftCorner(4, 4).inverse();
  const Eigen::VectorXd offset = empirical.mean.tail(3) - gain * empirical.mean.head(4);
  const Eigen::MatrixXd residual = s0.bottomRightCorner(3, 3) - gain * s0.topRightCorner(4, 3);
  CHECK((fit.gain - gain).cwiseAbs().maxCoeff() < 1e-6);
  CHECK((fit.offset - offset).cwiseAbs().maxCoeff() < 1e-6);
  CHECK((fit.residual_covariance - residual).cwiseAbs().maxCoeff() < 1e-6);
}

namespace {

// Rollouts whose states are random (masked by A(t)) except s_{t*+1} = A s + B a + c.
l2o::TransitionStatistics linear_system_statistics(int horizon, int target, double noise,
                                                   const Eigen::MatrixXd& transition,
                                                   const Eigen::VectorXd& offset) {
  l2o::TransitionStatistics statistics(horizon);
  for (int n = 0; n < 4; ++n) {
    l2o::RandomStream random(9, "test_dynamics_driver", {static_cast<std::uint64_t>(n)});
    const Eigen::Index points = 40;
    l2o::GroupRolloutRecord record;
    record.actions.resize(points, horizon);
    record.true_gradients.resize(points, horizon + 1);
    for (Eigen::Index j = 0; j < points; ++j) {
      for (int t = 0; t < horizon; ++t) record.actions(j, t) = random.normal();
      for (int t = 0; t <= horizon; ++t) record.true_gradients(j, t) = random.normal();
    }
    for (int t = 0; t < horizon; ++t) {
      Eigen::MatrixXd s(points, l2o::kStateDim);
      for (Eigen::Index j = 0; j < points; ++j) {
        for (int i = 0; i < l2o::kStateDim; ++i) s(j, i) = random.normal();
      }
      if (t == target + 1) {
        Eigen::MatrixXd z(points, l2o::kStateDim + 1);
        z << record.states[target], record.actions.col(target);
        s = (z * transition.transpose()).rowwise() + offset.transpose();
        s += noise * s.unaryExpr([&](double) { return random.normal(); });
      }
      for (int i = 0; i < l2o::kStateDim; ++i) {
        if (!l2o::is_active(i, t)) s.col(i).setZero();
      }
      record.states.push_back(s);
    }
    statistics.add_rollout(record);
  }
  return statistics;
}

}  // namespace

TEST_CASE("Dynamics driver recovers a 76-dim system on the active components", "[dynamics]") {
  l2o::RandomStream random(10, "test_dynamics_truth");
  Eigen::MatrixXd transition(l2o::kStateDim, l2o::kStateDim + 1);
  for (Eigen::Index i = 0; i < transition.size(); ++i) transition(i) = 0.1 * random.normal();
  Eigen::VectorXd offset(l2o::kStateDim);
  for (int i = 0; i < l2o::kStateDim; ++i) offset(i) = random.normal();
  constexpr int kHorizon = 130;
  l2o::DynamicsFitParams params;
  params.prior_count = 0.0;
  params.ridge = 0.0;
  for (int target : {7, 127}) {
    INFO("t* = " << target);
    const auto statistics = linear_system_statistics(kHorizon, target, 0.0, transition, offset);
    const l2o::DynamicsFit fit = l2o::fit_dynamics(statistics, params, {1, 0});
    const std::vector<int> state = l2o::active_set(target);
    const std::vector<int> next = l2o::active_set(target + 1);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(l2o::kStateDim, l2o::kStateDim + 1);
    expected(next, state) = transition(next, state);
    expected(next, l2o::kStateDim) = transition(next, l2o::kStateDim);
    Eigen::VectorXd expected_offset = Eigen::VectorXd::Zero(l2o::kStateDim);
    expected_offset(next) = offset(next);
    CHECK((fit.dynamics.transition[target] - expected).cwiseAbs().maxCoeff() < 1e-8);
    CHECK((fit.dynamics.offset[target] - expected_offset).cwiseAbs().maxCoeff() < 1e-8);
    CHECK(fit.dynamics.noise_cov[target].cwiseAbs().maxCoeff() < 1e-8);
    CHECK(fit.points(target) == 160.0);
    CHECK(fit.input_rcond(target) > 0.0);
  }

  // Default prior and ridge on noisy data: finite, PSD noise, inactive rows and columns zero.
  const auto statistics = linear_system_statistics(kHorizon, 60, 0.1, transition, offset);
  const l2o::DynamicsFit fit = l2o::fit_dynamics(statistics, l2o::DynamicsFitParams{}, {1, 0});
  for (int t = 0; t < kHorizon - 1; ++t) {
    const Eigen::MatrixXd& noise = fit.dynamics.noise_cov[t];
    REQUIRE(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(noise).eigenvalues().minCoeff() >
            -1e-12);
    for (int i = 0; i < l2o::kStateDim; ++i) {
      if (!l2o::is_active(i, t + 1)) {
        REQUIRE(fit.dynamics.transition[t].row(i).isZero(0.0));
        REQUIRE(noise.row(i).isZero(0.0));
      }
      if (!l2o::is_active(i, t)) REQUIRE(fit.dynamics.transition[t].col(i).isZero(0.0));
    }
  }
  // The prior pulls the noisy fit at t = 60 towards the window's (unrelated) steps; the
  // prior-free fit is close to the truth (noise 0.1, 160 points, 77 regressors).
  params.prior_count = 0.0;
  const l2o::DynamicsFit free_fit = l2o::fit_dynamics(statistics, params, {1, 0});
  const std::vector<int> state = l2o::active_set(60), next = l2o::active_set(61);
  const double free_error =
      (free_fit.dynamics.transition[60](next, state) - transition(next, state)).norm();
  const double prior_error =
      (fit.dynamics.transition[60](next, state) - transition(next, state)).norm();
  CHECK(free_error < prior_error);
}

TEST_CASE("Initial state: mean over points, floored variance on A(0) only", "[dynamics]") {
  Eigen::MatrixXd transition = Eigen::MatrixXd::Zero(l2o::kStateDim, l2o::kStateDim + 1);
  const auto statistics =
      linear_system_statistics(3, 0, 0.0, transition, Eigen::VectorXd::Zero(l2o::kStateDim));
  const l2o::DynamicsFit fit = l2o::fit_dynamics(statistics, l2o::DynamicsFitParams{}, {0, 0});
  Eigen::MatrixXd gram((l2o::kStateDim + 3), (l2o::kStateDim + 3));
  statistics.sums().gram(0, 0, gram);
  const double mean = gram(25, (l2o::kStateDim + 2)) / 160.0;
  CHECK(std::abs(fit.dynamics.initial_mean(25) - mean) < 1e-14);
  CHECK(std::abs(fit.dynamics.initial_cov(25, 25) - (gram(25, 25) / 160.0 - mean * mean)) < 1e-14);
  Eigen::MatrixXd off_support = fit.dynamics.initial_cov;
  off_support(25, 25) = 0.0;
  CHECK(off_support.isZero(0.0));
}

TEST_CASE("Singular dynamics fits throw naming group, iteration and time step", "[dynamics]") {
  constexpr int kHorizon = 4;
  l2o::TransitionStatistics statistics(kHorizon);
  l2o::GroupRolloutRecord record;
  for (int t = 0; t < kHorizon; ++t) {
    record.states.push_back(Eigen::MatrixXd::Ones(5, l2o::kStateDim));
  }
  record.actions = Eigen::MatrixXd::Zero(5, kHorizon);  // no exploration: B unidentifiable
  record.true_gradients = Eigen::MatrixXd::Zero(5, kHorizon + 1);
  statistics.add_rollout(record);
  l2o::DynamicsFitParams params;
  params.ridge = 0.0;
  try {
    (void)l2o::fit_dynamics(statistics, params, {2, 5});
    FAIL("no exception");
  } catch (const l2o::FitError& error) {
    const std::string message = error.what();
    CHECK(message.find("group 2") != std::string::npos);
    CHECK(message.find("iteration 5") != std::string::npos);
    CHECK(message.find("time step 0") != std::string::npos);
    CHECK(error.time_step() == 0);
  }
  params.window = -1;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("window"));
}
