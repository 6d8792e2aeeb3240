// GMM dynamics prior (gps-spec.md §5.4): EM recovery of a known mixture, monotone
// log-likelihood, prior moments of a query set, determinism, the point sets, and the dynamics
// fit with the GMM prior (prior limit = conditioning of Sigma_0, like D2 of test_dynamics).
#include <omp.h>

#include <catch2/catch.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/gmm_prior.hpp"
#include "util/random_stream.hpp"

namespace {

// Two 3-dim components: weight 0.3 at 0 with root `a`, weight 0.7 at (6, -4, 3) with root `b`.
struct KnownMixture {
  Eigen::Vector3d mean_a = Eigen::Vector3d::Zero();
  Eigen::Vector3d mean_b{6.0, -4.0, 3.0};
  Eigen::Matrix3d root_a;
  Eigen::Matrix3d root_b;
  KnownMixture() {
    root_a << 1.0, 0.0, 0.0, 0.5, 0.8, 0.0, 0.0, 0.3, 1.2;
    root_b << 0.6, 0.0, 0.0, -0.2, 1.0, 0.0, 0.4, 0.0, 0.7;
  }
  [[nodiscard]] Eigen::Matrix3d covariance_a() const { return root_a * root_a.transpose(); }
  [[nodiscard]] Eigen::Matrix3d covariance_b() const { return root_b * root_b.transpose(); }
  // `count` points; labels(i) = 1 for component a. `only_b` draws from b alone.
  Eigen::MatrixXd sample(int count, std::uint64_t seed, Eigen::VectorXi& labels,
                         bool only_b = false) const {
    l2o::RandomStream random(seed, "test_gmm_points");
    Eigen::MatrixXd points(count, 3);
    labels.resize(count);
    for (int i = 0; i < count; ++i) {
      labels(i) = !only_b && random.uniform() < 0.3 ? 1 : 0;
      Eigen::Vector3d z;
      for (int d = 0; d < 3; ++d) z(d) = random.normal();
      points.row(i) = (labels(i) == 1 ? Eigen::Vector3d(mean_a + root_a * z)
                                      : Eigen::Vector3d(mean_b + root_b * z))
                          .transpose();
    }
    return points;
  }
};

// Biased sample moments of the rows of `points` selected by `mask`.
l2o::GaussianMoments sample_moments(const Eigen::MatrixXd& points, const Eigen::VectorXi& mask,
                                    int label) {
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(points.cols());
  Eigen::MatrixXd outer = Eigen::MatrixXd::Zero(points.cols(), points.cols());
  double count = 0.0;
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    if (mask(i) != label) continue;
    sum += points.row(i).transpose();
    outer += points.row(i).transpose() * points.row(i);
    count += 1.0;
  }
  return l2o::moments_from_sums(sum, outer, count);
}

bool bitwise_equal(const l2o::GmmFit& x, const l2o::GmmFit& y) {
  if (x.log_likelihood != y.log_likelihood || x.mixture.clusters() != y.mixture.clusters()) {
    return false;
  }
  bool equal = (x.mixture.weights.array() == y.mixture.weights.array()).all();
  for (std::size_t k = 0; k < x.mixture.means.size(); ++k) {
    equal = equal && (x.mixture.means[k].array() == y.mixture.means[k].array()).all() &&
            (x.mixture.covariances[k].array() == y.mixture.covariances[k].array()).all();
  }
  return equal;
}

constexpr int kMixturePoints = 4000;

}  // namespace

TEST_CASE("GMM: EM recovers a known 2-component mixture", "[gmm]") {
  const KnownMixture truth;
  Eigen::VectorXi labels;
  const Eigen::MatrixXd points = truth.sample(kMixturePoints, 1, labels);
  l2o::RandomStream random(2, "test_gmm_init");
  const l2o::GmmFit fit = l2o::fit_gmm(points, 2, random);
  REQUIRE(fit.mixture.clusters() == 2);
  CHECK_FALSE(fit.warm_started);
  const int a =
      (fit.mixture.means[0] - truth.mean_a).norm() < (fit.mixture.means[1] - truth.mean_a).norm()
          ? 0
          : 1;
  const auto ia = static_cast<std::size_t>(a);
  const auto ib = static_cast<std::size_t>(1 - a);
  const double count_a = labels.cast<double>().sum();
  const double count_b = kMixturePoints - count_a;
  INFO("EM steps " << fit.log_likelihood.size() << ", weights " << fit.mixture.weights.transpose());

  // Against the truth, within 4 sampling standard deviations: weight sd sqrt(w(1-w)/N); mean
  // sd sqrt(max variance / n_k); covariance entry sd <= sqrt(2 max variance^2 / n_k).
  CHECK(std::abs(fit.mixture.weights(a) - 0.3) < 4.0 * std::sqrt(0.21 / kMixturePoints));
  const double var_a = truth.covariance_a().diagonal().maxCoeff();
  const double var_b = truth.covariance_b().diagonal().maxCoeff();
  CHECK((fit.mixture.means[ia] - truth.mean_a).cwiseAbs().maxCoeff() <
        4.0 * std::sqrt(var_a / count_a));
  CHECK((fit.mixture.means[ib] - truth.mean_b).cwiseAbs().maxCoeff() <
        4.0 * std::sqrt(var_b / count_b));
  CHECK((fit.mixture.covariances[ia] - truth.covariance_a()).cwiseAbs().maxCoeff() <
        4.0 * std::sqrt(2.0 / count_a) * var_a);
  CHECK((fit.mixture.covariances[ib] - truth.covariance_b()).cwiseAbs().maxCoeff() <
        4.0 * std::sqrt(2.0 / count_b) * var_b);

  // Against the moments of the labelled points: only the (tiny) overlap of the components.
  const l2o::GaussianMoments labelled_a = sample_moments(points, labels, 1);
  const l2o::GaussianMoments labelled_b = sample_moments(points, labels, 0);
  CHECK(std::abs(fit.mixture.weights(a) - count_a / kMixturePoints) < 1e-3);
  CHECK((fit.mixture.means[ia] - labelled_a.mean).cwiseAbs().maxCoeff() < 1e-2);
  CHECK((fit.mixture.means[ib] - labelled_b.mean).cwiseAbs().maxCoeff() < 1e-2);
  CHECK((fit.mixture.covariances[ia] - labelled_a.covariance).cwiseAbs().maxCoeff() < 2e-2);
  CHECK((fit.mixture.covariances[ib] - labelled_b.covariance).cwiseAbs().maxCoeff() < 2e-2);

  // EM never lowers the likelihood (up to the 1e-6 I regularisation) and converged early.
  REQUIRE(fit.log_likelihood.size() >= 3);
  CHECK(fit.log_likelihood.size() < 100);
  for (std::size_t i = 1; i < fit.log_likelihood.size(); ++i) {
    INFO("E-step " << i);
    CHECK(fit.log_likelihood[i] >=
          fit.log_likelihood[i - 1] - 1e-9 * std::abs(fit.log_likelihood[i - 1]));
  }
  double log_likelihood = 0.0;
  (void)fit.mixture.log_responsibilities(points, &log_likelihood);
  CHECK(log_likelihood > fit.log_likelihood.front());

  // The prior moments of points drawn from b alone are b's fitted (and true) moments.
  Eigen::VectorXi no_labels;
  const Eigen::MatrixXd query = truth.sample(300, 3, no_labels, true);
  const l2o::GaussianMoments prior = fit.mixture.prior_moments(query);
  CHECK(prior.count == 300.0);
  CHECK((prior.mean - fit.mixture.means[ib]).cwiseAbs().maxCoeff() < 1e-6);
  CHECK((prior.covariance - fit.mixture.covariances[ib]).cwiseAbs().maxCoeff() < 1e-6);
  CHECK((prior.mean - truth.mean_b).cwiseAbs().maxCoeff() < 4.0 * std::sqrt(var_b / count_b));
  // A query of both components mixes them by the averaged responsibilities.
  const l2o::GaussianMoments both = fit.mixture.prior_moments(points);
  const Eigen::MatrixXd responsibilities = fit.mixture.log_responsibilities(points).array().exp();
  const Eigen::VectorXd averaged = responsibilities.colwise().mean().transpose();
  Eigen::VectorXd mean = averaged(0) * fit.mixture.means[0] + averaged(1) * fit.mixture.means[1];
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(3, 3);
  for (int k = 0; k < 2; ++k) {
    const auto index = static_cast<std::size_t>(k);
    const Eigen::VectorXd shift = fit.mixture.means[index] - mean;
    covariance += averaged(k) * (fit.mixture.covariances[index] + shift * shift.transpose());
  }
  CHECK((both.mean - mean).cwiseAbs().maxCoeff() < 1e-10);
  CHECK((both.covariance - covariance).cwiseAbs().maxCoeff() < 1e-10);
  CHECK((responsibilities.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEST_CASE("GMM: one cluster gives the sample moments", "[gmm]") {
  const KnownMixture truth;
  Eigen::VectorXi labels;
  const Eigen::MatrixXd points = truth.sample(500, 4, labels, true);
  l2o::RandomStream random(5, "test_gmm_init");
  const l2o::GmmFit fit = l2o::fit_gmm(points, 1, random);
  const l2o::GaussianMoments sample = sample_moments(points, labels, 0);
  const l2o::GaussianMoments prior = fit.mixture.prior_moments(points.topRows(7));
  CHECK(fit.mixture.weights(0) == 1.0);
  CHECK((prior.mean - sample.mean).cwiseAbs().maxCoeff() < 1e-12);
  const Eigen::MatrixXd regularised = sample.covariance + 1e-6 * Eigen::MatrixXd::Identity(3, 3);
  CHECK((prior.covariance - regularised).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("GMM: bitwise deterministic, thread-independent, warm start", "[gmm][openmp]") {
  const KnownMixture truth;
  Eigen::VectorXi labels;
  const Eigen::MatrixXd points = truth.sample(1000, 6, labels);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  l2o::RandomStream random_one(7, "test_gmm_init");
  const l2o::GmmFit one_thread = l2o::fit_gmm(points, 5, random_one);
  omp_set_num_threads(2);
  l2o::RandomStream random_two(7, "test_gmm_init");
  const l2o::GmmFit two_threads = l2o::fit_gmm(points, 5, random_two);
  omp_set_num_threads(saved);
  CHECK(bitwise_equal(one_thread, two_threads));
  l2o::RandomStream random_other(8, "test_gmm_init");
  CHECK_FALSE(bitwise_equal(one_thread, l2o::fit_gmm(points, 5, random_other)));

  // Warm start from a converged fit with the same K: starts there and stops within two E-steps
  // (the first M-step reproduces it up to the regularisation); another K starts afresh.
  l2o::RandomStream random_warm(9, "test_gmm_init");
  const l2o::GmmFit warm = l2o::fit_gmm(points, 5, random_warm, &one_thread.mixture);
  CHECK(warm.warm_started);
  CHECK(warm.log_likelihood.front() == one_thread.log_likelihood.back());
  CHECK(warm.log_likelihood.size() <= 2);
  const l2o::GmmFit cold = l2o::fit_gmm(points, 4, random_warm, &one_thread.mixture);
  CHECK_FALSE(cold.warm_started);

  CHECK(l2o::gmm_cluster_count(10) == 2);
  CHECK(l2o::gmm_cluster_count(59) == 2);
  CHECK(l2o::gmm_cluster_count(60) == 3);
  CHECK(l2o::gmm_cluster_count(399) == 19);
  CHECK(l2o::gmm_cluster_count(20000) == 20);
  CHECK_THROWS_AS(l2o::fit_gmm(points, 0, random_warm), std::invalid_argument);
}

namespace {

// Rollouts of random states (masked by A(t)), actions and gradients; s_{t+1} depends linearly
// on s_t and a_t in the active components so the fits have something to find.
std::vector<l2o::GroupRolloutRecord> random_records(int horizon, int rollouts,
                                                    Eigen::Index points) {
  std::vector<l2o::GroupRolloutRecord> records;
  for (int n = 0; n < rollouts; ++n) {
    l2o::RandomStream random(11, "test_gmm_records", {static_cast<std::uint64_t>(n)});
    l2o::GroupRolloutRecord record;
    record.actions.resize(points, horizon);
    record.true_gradients.resize(points, horizon + 1);
    for (Eigen::Index i = 0; i < record.actions.size(); ++i) record.actions(i) = random.normal();
    for (Eigen::Index i = 0; i < record.true_gradients.size(); ++i) {
      record.true_gradients(i) = random.normal();
    }
    for (int t = 0; t < horizon; ++t) {
      Eigen::MatrixXd s(points, l2o::kStateDim);
      for (Eigen::Index i = 0; i < s.size(); ++i) s(i) = random.normal();
      const int c = l2o::active_set(0).front();  // active at every t
      if (t > 0) {
        s.col(c) += 0.8 * record.states.back().col(c) + 0.5 * record.actions.col(t - 1);
      }
      for (int i = 0; i < l2o::kStateDim; ++i) {
        if (!l2o::is_active(i, t)) s.col(i).setZero();
      }
      record.states.push_back(s);
    }
    records.push_back(record);
  }
  return records;
}

std::vector<const l2o::GroupRolloutRecord*> pointers(
    const std::vector<l2o::GroupRolloutRecord>& records) {
  std::vector<const l2o::GroupRolloutRecord*> result;
  for (const auto& record : records) result.push_back(&record);
  return result;
}

}  // namespace

TEST_CASE("GMM: transition points and each rollout's stratified subsample", "[gmm]") {
  constexpr int kHorizon = 7;
  const auto records = random_records(kHorizon, 2, 5);
  const auto view = pointers(records);
  const Eigen::MatrixXd step = l2o::transition_points(view, 5);
  REQUIRE(step.rows() == 10);
  REQUIRE(step.cols() == l2o::transition_point_dim(l2o::kStateDim));
  CHECK(step(6, l2o::kStateDim) == records[1].actions(1, 5));
  const int c = l2o::active_set(5).back();
  CHECK(step(6, c) == records[1].states[5](1, c));
  CHECK(step(6, l2o::kStateDim + 1 + c) == records[1].states[6](1, c));
  for (int i = 0; i < l2o::kStateDim; ++i) {
    if (!l2o::is_active(i, 5)) CHECK(step.col(i).isZero(0.0));
    if (!l2o::is_active(i, 6)) CHECK(step.col(l2o::kStateDim + 1 + i).isZero(0.0));
  }

  // Q <= 20000 split evenly over rollouts and steps, at least one point, at most all P.
  CHECK(l2o::gmm_points_per_step(256, 20, 400) == 2);  // floor(20000 / (20 * 399))
  CHECK(l2o::gmm_points_per_step(64, 16, 400) == 3);
  CHECK(l2o::gmm_points_per_step(16, 4, 40) == 16);
  CHECK(l2o::gmm_points_per_step(256, 100, 400) == 1);
  CHECK_THROWS_AS(l2o::gmm_points_per_step(0, 4, 40), std::invalid_argument);

  // All P points per step give the rollout's points step by step; fewer give distinct members
  // of each step's points, in row order, drawn from the stream alone.
  const std::vector<const l2o::GroupRolloutRecord*> second{&records[1]};
  l2o::RandomStream random(12, "test_gmm_subsample");
  const Eigen::MatrixXd all = l2o::subsample_rollout_points(records[1], 5, random);
  REQUIRE(all.rows() == 5 * (kHorizon - 1));
  for (int t = 0; t + 1 < kHorizon; ++t) {
    CHECK(all.middleRows(5 * t, 5) == l2o::transition_points(second, t));
  }
  l2o::RandomStream first_draw(12, "test_gmm_subsample", {3});
  l2o::RandomStream second_draw(12, "test_gmm_subsample", {3});
  const Eigen::MatrixXd some = l2o::subsample_rollout_points(records[1], 2, first_draw);
  CHECK(some == l2o::subsample_rollout_points(records[1], 2, second_draw));
  REQUIRE(some.rows() == 2 * (kHorizon - 1));
  for (int t = 0; t + 1 < kHorizon; ++t) {
    const Eigen::MatrixXd points = l2o::transition_points(second, t);
    Eigen::Index previous = -1;
    for (Eigen::Index i = 2 * t; i < 2 * t + 2; ++i) {
      Eigen::Index found = -1;
      for (Eigen::Index j = 0; j < points.rows() && found < 0; ++j) {
        if (points.row(j) == some.row(i)) found = j;
      }
      CHECK(found > previous);  // a member of step t's points, in order, no repeats
      previous = found;
    }
  }
  l2o::RandomStream any(1, "test_gmm_subsample");
  CHECK_THROWS_AS(l2o::subsample_rollout_points(records[1], 6, any), std::invalid_argument);
  CHECK_THROWS_AS(l2o::subsample_rollout_points(records[1], 0, any), std::invalid_argument);
}

TEST_CASE("Dynamics fit with the GMM prior: prior limit and ordinary counts", "[gmm][dynamics]") {
  constexpr int kHorizon = 8;
  const auto records = random_records(kHorizon, 3, 40);
  const auto view = pointers(records);
  l2o::TransitionStatistics statistics(kHorizon);
  for (const auto& record : records) statistics.add_rollout(record);
  const l2o::FitContext context{1, 2};
  // Every point of every step (q = P = 40): the query set of step t is all of step t's points.
  std::vector<Eigen::MatrixXd> rollout_points;
  for (const auto& record : records) {
    l2o::RandomStream random(5, "test_gmm_rollout");
    rollout_points.push_back(l2o::subsample_rollout_points(record, 40, random));
  }
  const Eigen::MatrixXd none;
  const l2o::GmmDynamicsPrior prior =
      l2o::fit_gmm_dynamics_prior(rollout_points, 40, none, nullptr, 13, context);
  REQUIRE(prior.steps.size() == kHorizon - 1);
  CHECK(prior.fit.mixture.clusters() == l2o::gmm_cluster_count(3 * 40 * (kHorizon - 1)));
  const l2o::GmmDynamicsPrior again =
      l2o::fit_gmm_dynamics_prior(rollout_points, 40, none, nullptr, 13, context);
  CHECK(bitwise_equal(prior.fit, again.fit));
  const l2o::GmmDynamicsPrior warm =
      l2o::fit_gmm_dynamics_prior(rollout_points, 40, none, &prior.fit.mixture, 13, {1, 3});
  CHECK(warm.fit.warm_started);
  // Reused points join the training set (K counts them), not the query sets.
  const Eigen::MatrixXd reused = rollout_points[0].topRows(200);  // of its 280
  const l2o::GmmDynamicsPrior reusing =
      l2o::fit_gmm_dynamics_prior(rollout_points, 40, reused, nullptr, 13, context);
  CHECK(reusing.fit.mixture.clusters() == l2o::gmm_cluster_count(3 * 40 * (kHorizon - 1) + 200));
  CHECK(reusing.steps[3].count == 120.0);
  CHECK_FALSE(bitwise_equal(reusing.fit, prior.fit));
  CHECK_THROWS_AS(
      l2o::fit_gmm_dynamics_prior(rollout_points, 40, reused.leftCols(10), nullptr, 13, context),
      std::invalid_argument);
  CHECK_THROWS_AS(l2o::fit_gmm_dynamics_prior(rollout_points, 3, none, nullptr, 13, context),
                  std::invalid_argument);

  l2o::DynamicsFitParams params;
  params.prior = l2o::DynamicsPrior::gmm;
  params.prior_count = 1e12;
  params.ridge = 0.0;
  const l2o::DynamicsFit limit = l2o::fit_dynamics(statistics, params, context, &prior.steps);
  for (int t = 0; t + 1 < kHorizon; ++t) {
    INFO("t = " << t);
    const Eigen::MatrixXd points = l2o::transition_points(view, t);
    const l2o::GaussianMoments full = prior.fit.mixture.prior_moments(points);
    CHECK(full.covariance == prior.steps[static_cast<std::size_t>(t)].covariance);
    const std::vector<int> state = l2o::active_set(t);
    const std::vector<int> next = l2o::active_set(t + 1);
    std::vector<int> inputs = state;
    inputs.push_back(l2o::kStateDim);
    std::vector<int> outputs;
    for (int i : next) outputs.push_back(l2o::kStateDim + 1 + i);
    const Eigen::MatrixXd& s0 = full.covariance;
    const Eigen::MatrixXd gain = s0(outputs, inputs) * s0(inputs, inputs).inverse();
    const Eigen::VectorXd mean = points.colwise().mean().transpose();
    const Eigen::VectorXd offset = mean(outputs) - gain * mean(inputs);
    const Eigen::MatrixXd residual = s0(outputs, outputs) - gain * s0(inputs, outputs);
    const auto nu = static_cast<Eigen::Index>(state.size());
    CHECK((limit.dynamics.transition[t](next, state) - gain.leftCols(nu)).cwiseAbs().maxCoeff() <
          1e-6);
    CHECK(
        (limit.dynamics.transition[t](next, l2o::kStateDim) - gain.col(nu)).cwiseAbs().maxCoeff() <
        1e-6);
    CHECK((limit.dynamics.offset[t](next) - offset).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((limit.dynamics.noise_cov[t](next, next) - residual).cwiseAbs().maxCoeff() < 1e-6);
  }

  // Ordinary pseudo-counts: finite dynamics, PSD noise, and not the windowed fit.
  params.prior_count = 200.0;
  params.ridge = 1e-3;
  const l2o::DynamicsFit fit = l2o::fit_dynamics(statistics, params, context, &prior.steps);
  const l2o::DynamicsFit window = l2o::fit_dynamics(statistics, l2o::DynamicsFitParams{}, context);
  double difference = 0.0;
  for (int t = 0; t + 1 < kHorizon; ++t) {
    REQUIRE(fit.dynamics.transition[t].allFinite());
    REQUIRE(fit.dynamics.offset[t].allFinite());
    REQUIRE(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(fit.dynamics.noise_cov[t])
                .eigenvalues()
                .minCoeff() > -1e-12);
    difference += (fit.dynamics.transition[t] - window.dynamics.transition[t]).norm();
  }
  CHECK(difference > 1e-3);
  // The true coefficient of s_t(c) in s_{t+1}(c) is 0.8: the GMM-prior fit at t = 2 sees it.
  const int c = l2o::active_set(0).front();
  CHECK(std::abs(fit.dynamics.transition[2](c, c) - 0.8) < 0.3);

  CHECK_THROWS_AS(l2o::fit_dynamics(statistics, params, context), std::invalid_argument);
  CHECK_THROWS_AS(l2o::fit_dynamics(statistics, l2o::DynamicsFitParams{}, context, &prior.steps),
                  std::invalid_argument);
}
