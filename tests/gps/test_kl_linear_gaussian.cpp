// KL between linear-Gaussian policies under a Gaussian state marginal (gps-spec.md §7.5, §17 K1).
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include <Eigen/Cholesky>

#include "gps/lqg/kl_linear_gaussian.hpp"
#include "util/random_stream.hpp"

namespace {

l2o::LinearGaussianPolicy one_step_policy(double k0, double k1, double bias, double variance) {
  l2o::LinearGaussianPolicy policy(2, 1);
  policy.gain << k0, k1;
  policy.bias(0) = bias;
  policy.variance(0) = variance;
  return policy;
}

double log_density(double a, double mean, double variance) {
  return -0.5 * (std::log(2.0 * std::numbers::pi * variance) + (a - mean) * (a - mean) / variance);
}

TEST_CASE("K1 policy KL matches the closed form and Monte Carlo", "[kl]") {
  Eigen::Vector2d state_mean(0.3, -0.2);
  Eigen::Matrix2d state_cov;
  state_cov << 1.0, 0.3, 0.3, 0.5;
  const auto p = one_step_policy(0.5, -1.0, 0.1, 0.4);
  const auto q = one_step_policy(0.2, -0.7, -0.3, 0.9);
  const double kl = l2o::linear_gaussian_kl(p, q, 0, state_mean, state_cov);
  CHECK(kl == Approx(0.3407428859).epsilon(1e-9));

  // E_s E_{a~p(.|s)} [log p(a|s) - log q(a|s)] with 10^6 samples, within 4 standard errors.
  constexpr int kSamples = 1000000;
  l2o::RandomStream rng(5, "test-kl-mc");
  const Eigen::Matrix2d factor = state_cov.llt().matrixL();
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const Eigen::Vector2d s = state_mean + factor * Eigen::Vector2d(rng.normal(), rng.normal());
    const double p_mean = p.gain.row(0).dot(s) + p.bias(0);
    const double q_mean = q.gain.row(0).dot(s) + q.bias(0);
    const double a = p_mean + std::sqrt(p.variance(0)) * rng.normal();
    const double log_ratio =
        log_density(a, p_mean, p.variance(0)) - log_density(a, q_mean, q.variance(0));
    sum += log_ratio;
    sum_sq += log_ratio * log_ratio;
  }
  const double mean = sum / kSamples;
  const double standard_error = std::sqrt((sum_sq / kSamples - mean * mean) / kSamples);
  CHECK(std::abs(mean - kl) < 4.0 * standard_error);
}

TEST_CASE("Policy KL is zero for identical policies and positive otherwise", "[kl]") {
  Eigen::Vector2d state_mean(0.3, -0.2);
  Eigen::Matrix2d state_cov = Eigen::Matrix2d::Identity();
  const auto p = one_step_policy(0.5, -1.0, 0.1, 0.4);
  CHECK(l2o::linear_gaussian_kl(p, p, 0, state_mean, state_cov) == Approx(0.0).margin(1e-15));
  const auto q = one_step_policy(0.5, -1.0, 0.1, 0.5);
  CHECK(l2o::linear_gaussian_kl(p, q, 0, state_mean, state_cov) > 0.0);
}

}  // namespace
