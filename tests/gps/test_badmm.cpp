// BADMM dual updates and policy targets (gps-spec.md §8.3, §9) and the 1-D BADMM toy B1 (§17),
// whose loop is assembled from the production DGD-LQG, forward pass and dual updates.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

#include <Eigen/Dense>

#include "gps/loop/badmm_dual_update.hpp"
#include "gps/loop/badmm_policy_targets.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/lqg/lqg_forward_pass.hpp"
#include "gps/test_lqg_fixtures.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::BadmmDuals;
using l2o::LinearGaussianPolicy;

TEST_CASE("Multiplier step has the sign of gps-spec §9", "[badmm]") {
  BadmmDuals duals(2, 2.0);
  l2o::PolicyMismatch mismatch{Eigen::Vector2d(0.1, -0.3), Eigen::Vector2d(0.01, 0.09)};
  const Eigen::Vector2d psi_variance(0.5, 0.25);
  l2o::update_multipliers(mismatch, psi_variance, l2o::BadmmDualParams{}, duals);
  // pi below psi (difference > 0): lambda falls by alpha nu G^-1 * difference.
  CHECK(duals.lambda(0) == Approx(-0.2 * 2.0 * 0.1 / 0.5));
  CHECK(duals.lambda(1) == Approx(0.2 * 2.0 * 0.3 / 0.25));
}

TEST_CASE("Monte-Carlo policy KL per step", "[badmm]") {
  l2o::PolicyMismatch mismatch{Eigen::Vector2d(0.0, 0.0), Eigen::Vector2d(0.0, 0.25)};
  const Eigen::Vector2d psi_variance(0.25, 0.25);
  const Eigen::VectorXd kl = l2o::badmm_policy_kl(mismatch, psi_variance, l2o::BadmmDualParams{});
  CHECK(kl(0) == Approx(0.0).margin(1e-15));
  CHECK(kl(1) == Approx(0.5));
}

TEST_CASE("Penalty weights follow the relative rule and the plain dual step", "[badmm]") {
  Eigen::VectorXd kl(6);
  kl << 0.0, 5.0, 5.0, 5.0, 5.0, 10.0;  // mean 5, population std sqrt(50/6) = 2.89
  BadmmDuals duals(6, 0.01);
  l2o::BadmmDualParams params;
  l2o::update_penalty_weights(kl, params, duals);
  Eigen::VectorXd expected(6);
  expected << 0.005, 0.01, 0.01, 0.01, 0.01, 0.02;
  CHECK(duals.nu.isApprox(expected, 1e-15));
  params.nu_rule = l2o::NuRule::dual_step;
  l2o::update_penalty_weights(-kl, params, duals);
  CHECK(duals.nu(0) == 0.005);
  CHECK(duals.nu(1) == 0.0);
}

TEST_CASE("Policy targets and loss weights of gps-spec §8.3", "[badmm]") {
  auto psi = l2o::test::scalar_policy(2, -0.5, 0.3, 0.4);
  BadmmDuals duals(2, 0.5);
  duals.lambda << 0.1, -0.2;
  const Eigen::VectorXd offsets = l2o::badmm_target_offsets(psi, duals);
  CHECK(offsets(0) == Approx(0.3 - 0.4 * 0.1 / 0.5));
  CHECK(offsets(1) == Approx(0.3 + 0.4 * 0.2 / 0.5));
  Eigen::Vector4d nu(1.0, 1.0, 2.0, 4.0);  // w = (0.5, 0.5, 1, 2), median 0.75, cap 1.5
  const Eigen::VectorXd weights = l2o::badmm_loss_weights(nu);
  CHECK(weights.isApprox(Eigen::Vector4d(2.0 / 3, 2.0 / 3, 4.0 / 3, 2.0), 1e-15));
}

// ---- B1: the 1-D BADMM toy ----------------------------------------------------------------

constexpr Eigen::Index kHorizon = 20;
constexpr int kRollouts = 50;
constexpr int kInnerIterations = 4;

// Stationary linear global policy a = theta(0) s + theta(1) with Sigma^pi = 0.25; its
// linearisation is itself.
LinearGaussianPolicy global_policy(const Eigen::Vector2d& theta) {
  return l2o::test::scalar_policy(kHorizon, theta(0), theta(1), 0.25);
}

// theta-step (§8.3-§8.4): weighted least squares of the targets y = K_t s + k_t - G_t lambda_t /
// nu_t with weights w_t / G_t on the sampled states (rows: rollouts, columns: t).
Eigen::Vector2d fit_global_policy(const Eigen::MatrixXd& states, const LinearGaussianPolicy& psi,
                                  const BadmmDuals& duals) {
  const Eigen::VectorXd offsets = l2o::badmm_target_offsets(psi, duals);
  const Eigen::VectorXd weights = l2o::badmm_loss_weights(duals.nu);
  Eigen::Matrix2d normal = Eigen::Matrix2d::Zero();
  Eigen::Vector2d rhs = Eigen::Vector2d::Zero();
  for (Eigen::Index t = 0; t < kHorizon; ++t) {
    const double weight = weights(t) / psi.variance(t);
    for (Eigen::Index n = 0; n < states.rows(); ++n) {
      const Eigen::Vector2d features(states(n, t), 1.0);
      const double target = psi.gain(t, 0) * states(n, t) + offsets(t);
      normal.noalias() += weight * features * features.transpose();
      rhs += weight * target * features;
    }
  }
  return normal.ldlt().solve(rhs);
}

// Per-step sample means of mu^psi - mu^pi over the sampled states (§9).
l2o::PolicyMismatch policy_mismatch(const Eigen::MatrixXd& states, const LinearGaussianPolicy& psi,
                                    const Eigen::Vector2d& theta) {
  l2o::PolicyMismatch mismatch{Eigen::VectorXd::Zero(kHorizon), Eigen::VectorXd::Zero(kHorizon)};
  for (Eigen::Index t = 0; t < kHorizon; ++t) {
    for (Eigen::Index n = 0; n < states.rows(); ++n) {
      const double difference =
          psi.gain(t, 0) * states(n, t) + psi.bias(t) - (theta(0) * states(n, t) + theta(1));
      mismatch.mean_difference(t) += difference / static_cast<double>(states.rows());
      mismatch.mean_squared_difference(t) +=
          difference * difference / static_cast<double>(states.rows());
    }
  }
  return mismatch;
}

// Mean actions of the forward pass of a policy under the exact dynamics (§7.4).
Eigen::VectorXd mean_actions(const LinearGaussianPolicy& policy,
                             const l2o::LinearGaussianDynamics& dynamics) {
  l2o::LqgForwardPass forward(1, kHorizon);
  const auto& marginals = forward.run(policy, dynamics, l2o::LqgContext{});
  Eigen::VectorXd actions(kHorizon);
  for (Eigen::Index t = 0; t < kHorizon; ++t)
    actions(t) = marginals.mean[static_cast<std::size_t>(t)](1);
  return actions;
}

// sum_t E[1/2 s^2 + 0.05 a^2] of a stationary linear mean action (policy noise 0).
double mean_action_cost(const Eigen::Vector2d& theta, const l2o::LinearGaussianDynamics& dynamics) {
  auto policy = global_policy(theta);
  policy.variance.setZero();
  l2o::LqgForwardPass forward(1, kHorizon);
  const auto& marginals = forward.run(policy, dynamics, l2o::LqgContext{});
  double cost = 0.0;
  for (std::size_t t = 0; t < static_cast<std::size_t>(kHorizon); ++t) {
    const Eigen::Vector2d& mean = marginals.mean[t];
    const Eigen::Matrix2d& cov = marginals.cov[t];
    cost += 0.5 * (cov(0, 0) + mean(0) * mean(0)) + 0.05 * (cov(1, 1) + mean(1) * mean(1));
  }
  return cost;
}

// Reference optimum over stationary linear policies: the cost is quadratic in theta(1) for
// fixed theta(0) (closed-form minimum from three points), golden section over theta(0).
std::pair<double, Eigen::Vector2d> best_stationary_policy(const l2o::LinearGaussianDynamics& dyn) {
  const auto best_bias = [&](double gain) {
    const double f0 = mean_action_cost({gain, -1.0}, dyn);
    const double f1 = mean_action_cost({gain, 0.0}, dyn);
    const double f2 = mean_action_cost({gain, 1.0}, dyn);
    const double bias = 0.5 * (f0 - f2) / (f0 - 2.0 * f1 + f2);
    return Eigen::Vector2d(gain, bias);
  };
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = -1.5;
  double hi = 0.0;
  for (int k = 0; k < 80; ++k) {
    const double x1 = hi - ratio * (hi - lo);
    const double x2 = lo + ratio * (hi - lo);
    if (mean_action_cost(best_bias(x1), dyn) < mean_action_cost(best_bias(x2), dyn)) {
      hi = x2;
    } else {
      lo = x1;
    }
  }
  const Eigen::Vector2d theta = best_bias(0.5 * (lo + hi));
  return {mean_action_cost(theta, dyn), theta};
}

struct ToyOutcome {
  Eigen::VectorXd mismatch;  ///< sum_t |mu^psi_t - mu^pi_t| / sum_t |mu^psi_t| per iteration
  Eigen::Vector2d theta;     ///< final global policy
};

// B1 loop, order of operations of gps-spec.md §12 step 8; `lambda_sign` = -1 flips the sign of
// the multiplier update (by negating the mismatch it sees).
ToyOutcome run_badmm_toy(int iterations, double lambda_sign, std::uint64_t seed) {
  const auto dynamics = l2o::test::scalar_dynamics(kHorizon, 0.9, 1.0, 0.0, 1e-4, 1.0, 0.01);
  const auto cost = l2o::test::scalar_cost(kHorizon, 1.0, 0.1);
  LinearGaussianPolicy sampling_policy = l2o::test::scalar_policy(kHorizon, -0.1, 0.0, 0.25);
  LinearGaussianPolicy new_policy;
  BadmmDuals duals(kHorizon, 1.0);  // nu fixed at 1: no penalty adaptation in B1
  Eigen::Vector2d theta = Eigen::Vector2d::Zero();
  l2o::DgdParams dgd_params;
  dgd_params.kl_step = 0.02;  // epsilon = 0.4 with the step multiplier fixed at 1
  l2o::DualGradientDescent dgd(1, kHorizon, dgd_params);
  const l2o::BadmmDualParams dual_params;
  double eta = 1.0;
  ToyOutcome outcome{Eigen::VectorXd(iterations), theta};
  Eigen::MatrixXd states(kRollouts, kHorizon);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    // Step 1: sample the current local policy under the exact dynamics.
    l2o::RandomStream rng(seed, "test-badmm-toy-rollouts", {static_cast<std::uint64_t>(iteration)});
    for (int n = 0; n < kRollouts; ++n) {
      double s = 1.0 + 0.1 * rng.normal();
      for (Eigen::Index t = 0; t < kHorizon; ++t) {
        states(n, t) = s;
        const double a = sampling_policy.gain(t, 0) * s + sampling_policy.bias(t) +
                         std::sqrt(sampling_policy.variance(t)) * rng.normal();
        s = 0.9 * s + a + 0.01 * rng.normal();
      }
    }
    for (int inner = 0; inner < kInnerIterations; ++inner) {
      const bool update = iteration > 0 || inner > 0;
      const LinearGaussianPolicy& psi_use = inner > 0 ? new_policy : sampling_policy;
      if (update) theta = fit_global_policy(states, psi_use, duals);    // 8a
      const LinearGaussianPolicy linearisation = global_policy(theta);  // 8b
      if (update) {                                                     // 8c
        l2o::PolicyMismatch mismatch = policy_mismatch(states, psi_use, theta);
        mismatch.mean_difference *= lambda_sign;
        l2o::update_multipliers(mismatch, psi_use.variance, dual_params, duals);
      }
      const l2o::LqgProblem problem{&dynamics, &cost, &sampling_policy, &linearisation, &duals};
      eta = dgd.solve(problem, eta, 1.0, new_policy, l2o::LqgContext{0, iteration}).eta;  // 8d
    }
    sampling_policy = new_policy;  // step 9
    const Eigen::VectorXd psi_actions = mean_actions(new_policy, dynamics);
    const Eigen::VectorXd pi_actions = mean_actions(global_policy(theta), dynamics);
    outcome.mismatch(iteration) =
        (psi_actions - pi_actions).cwiseAbs().sum() / psi_actions.cwiseAbs().sum();
  }
  outcome.theta = theta;
  return outcome;
}

TEST_CASE("B1 BADMM toy converges, and diverges with the multiplier sign flipped", "[badmm]") {
  const auto dynamics = l2o::test::scalar_dynamics(kHorizon, 0.9, 1.0, 0.0, 1e-4, 1.0, 0.01);
  const auto [best_cost, best_theta] = best_stationary_policy(dynamics);
  for (const std::uint64_t seed : {1u, 2u}) {
    const ToyOutcome outcome = run_badmm_toy(40, 1.0, seed);
    INFO("seed " << seed << ", mismatch per iteration " << outcome.mismatch.transpose());
    INFO("theta " << outcome.theta.transpose() << ", best " << best_theta.transpose());
    CHECK(outcome.mismatch(39) < 0.01);
    const double cost = mean_action_cost(outcome.theta, dynamics);
    CHECK(cost == Approx(best_cost).epsilon(1e-3));

    const ToyOutcome flipped = run_badmm_toy(40, -1.0, seed);
    INFO("flipped mismatch per iteration " << flipped.mismatch.transpose());
    CHECK(flipped.mismatch(39) > 1.0);
  }
  INFO("optimum over stationary linear policies " << best_cost);
  CHECK(best_cost == Approx(0.5434).epsilon(1e-3));
}

}  // namespace
