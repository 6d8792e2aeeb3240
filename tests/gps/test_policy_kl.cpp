// Monte-Carlo policy KL and dual inputs from teacher-forced means (gps-spec.md §9), and psi's mean
// actions / regression targets over recorded states (§8.3).
#include <catch2/catch.hpp>
#include <cmath>

#include "gps/loop/badmm_dual_update.hpp"
#include "gps/loop/badmm_policy_targets.hpp"
#include "gps/policy/policy_kl.hpp"
#include "nn/lstm_test_util.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

std::vector<MatrixXd> random_states(Eigen::Index points, Eigen::Index steps, std::uint64_t seed) {
  std::vector<MatrixXd> states;
  for (Eigen::Index t = 0; t < steps; ++t) {
    states.push_back(l2o::test::random_matrix(points, 4, 1.0, seed + t, "states"));
  }
  return states;
}

}  // namespace

TEST_CASE("policy kl: linear policy means are K_t s + bias_t per recorded point", "[policy]") {
  const auto states = random_states(3, 2, 61);
  l2o::LinearGaussianPolicy psi(4, 2);
  psi.gain << 1, 2, 3, 4, -1, 0, 0.5, 0;
  psi.bias << 0.25, -2;
  const MatrixXd means = l2o::linear_policy_means(states, psi.gain, psi.bias);
  for (Eigen::Index j = 0; j < 3; ++j) {
    for (Eigen::Index t = 0; t < 2; ++t) {
      CHECK(means(j, t) == Approx(states[t].row(j).dot(psi.gain.row(t)) + psi.bias(t)));
    }
  }
  CHECK_THROWS_AS(l2o::linear_policy_means(states, psi.gain, VectorXd::Zero(3)),
                  std::invalid_argument);
}

TEST_CASE("policy kl: dual inputs are the means over all recorded (n, j)", "[policy]") {
  const Eigen::Index steps = 6;
  // Two rollouts with different numbers of recorded coordinates.
  const MatrixXd psi_a = l2o::test::random_matrix(5, steps, 1.0, 62, "psi");
  const MatrixXd pi_a = l2o::test::random_matrix(5, steps, 1.0, 63, "pi");
  const MatrixXd psi_b = l2o::test::random_matrix(9, steps, 1.0, 64, "psi");
  const MatrixXd pi_b = l2o::test::random_matrix(9, steps, 1.0, 65, "pi");
  l2o::PolicyMismatchStatistics statistics(steps), only_b(steps);
  statistics.add_rollout(psi_a, pi_a);
  statistics.add_rollout(psi_b, pi_b);
  only_b.add_rollout(psi_b, pi_b);
  l2o::PolicyMismatchStatistics only_a(steps);
  only_a.add_rollout(psi_a, pi_a);
  only_b.sums().merge(only_a.sums());
  CHECK(only_b.sums() == statistics.sums());  // rank and merge-order independent

  MatrixXd difference(14, steps);
  difference << psi_a - pi_a, psi_b - pi_b;
  const l2o::PolicyMismatch mismatch = statistics.mismatch();
  const VectorXd variance = VectorXd::LinSpaced(steps, 0.1, 0.6);
  const l2o::BadmmDualParams params;
  const VectorXd kl = l2o::badmm_policy_kl(mismatch, variance, params);
  for (Eigen::Index t = 0; t < steps; ++t) {
    CHECK(mismatch.mean_difference(t) == Approx(difference.col(t).mean()).epsilon(1e-14));
    // §9 directly: mean over samples of the 1-D Gaussian KL with Sigma^pi = 0.25.
    const double g = variance(t), s = params.policy_variance;
    const double direct =
        (0.5 * (g / s + difference.col(t).array().square() / s - 1.0 + std::log(s / g))).mean();
    CHECK(kl(t) == Approx(direct).epsilon(1e-13));
  }
  l2o::BadmmDuals duals(steps, 0.01);
  l2o::update_multipliers(mismatch, variance, params, duals);
  CHECK(duals.lambda(2) ==
        Approx(-0.2 * 0.01 * difference.col(2).mean() / variance(2)).epsilon(1e-13));
  CHECK_THROWS_AS(statistics.add_rollout(psi_a, pi_b), std::invalid_argument);
  CHECK_THROWS_WITH(l2o::PolicyMismatchStatistics(3).mismatch(),
                    Catch::Contains("no points at step 0"));
}
