// Forward pass (gps-spec.md §7.4) and Laplace cost estimate (§7.7) against Monte Carlo
// simulation of the same linear-Gaussian system (§17 L5).
#include <catch2/catch.hpp>
#include <cmath>

#include <Eigen/Cholesky>

#include "gps/lqg/lqg_forward_pass.hpp"
#include "gps/lqg/lqg_laplace_estimate.hpp"
#include "util/random_stream.hpp"

namespace {

constexpr Eigen::Index kDim = 3;
constexpr Eigen::Index kHorizon = 10;
constexpr Eigen::Index kSamples = 100000;

Eigen::MatrixXd random_matrix(l2o::RandomStream& rng, Eigen::Index rows, Eigen::Index cols,
                              double scale) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = scale * rng.normal();
  }
  return m;
}

Eigen::MatrixXd random_spd(l2o::RandomStream& rng, Eigen::Index dim, double scale) {
  const Eigen::MatrixXd root = random_matrix(rng, dim, dim, scale);
  return root * root.transpose() + 0.1 * scale * scale * Eigen::MatrixXd::Identity(dim, dim);
}

struct RandomSystem {
  l2o::LinearGaussianDynamics dynamics{kDim, kHorizon};
  l2o::LinearGaussianPolicy policy{kDim, kHorizon};
  l2o::QuadraticCost cost{kDim, kHorizon};
};

RandomSystem make_system() {
  l2o::RandomStream rng(17, "test-lqg-forward-system");
  RandomSystem system;
  for (Eigen::Index t = 0; t + 1 < kHorizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    system.dynamics.transition[i] = random_matrix(rng, kDim, kDim + 1, 0.4);
    system.dynamics.offset[i] = random_matrix(rng, kDim, 1, 0.3);
    system.dynamics.noise_cov[i] = random_spd(rng, kDim, 0.2);
  }
  system.dynamics.initial_mean = random_matrix(rng, kDim, 1, 1.0);
  system.dynamics.initial_cov = random_spd(rng, kDim, 0.5);
  for (Eigen::Index t = 0; t < kHorizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    system.policy.gain.row(t) = random_matrix(rng, 1, kDim, 0.3);
    system.policy.bias(t) = 0.2 * rng.normal();
    system.policy.variance(t) = 0.1 + rng.uniform();
    system.cost.hessian[i] = random_spd(rng, kDim + 1, 0.5);
    system.cost.gradient[i] = random_matrix(rng, kDim + 1, 1, 0.5);
  }
  return system;
}

// Draws N(0, cov) samples as columns: Cholesky factor times standard normals.
Eigen::MatrixXd gaussian_samples(l2o::RandomStream& rng, const Eigen::MatrixXd& cov,
                                 Eigen::Index count) {
  const Eigen::MatrixXd factor = cov.llt().matrixL();
  return factor * random_matrix(rng, cov.rows(), count, 1.0);
}

TEST_CASE("L5 forward-pass marginals and Laplace cost agree with Monte Carlo", "[lqg]") {
  const RandomSystem system = make_system();
  l2o::LqgForwardPass forward(kDim, kHorizon);
  const auto& marginals = forward.run(system.policy, system.dynamics, l2o::LqgContext{});

  l2o::RandomStream rng(17, "test-lqg-forward-mc");
  Eigen::MatrixXd states = gaussian_samples(rng, system.dynamics.initial_cov, kSamples);
  states.colwise() += system.dynamics.initial_mean;
  Eigen::MatrixXd z(kDim + 1, kSamples);
  Eigen::VectorXd sample_cost = Eigen::VectorXd::Zero(kSamples);
  for (Eigen::Index t = 0; t < kHorizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    z.topRows(kDim) = states;
    z.row(kDim) = system.policy.gain.row(t) * states;
    for (Eigen::Index n = 0; n < kSamples; ++n) {
      z(kDim, n) += system.policy.bias(t) + std::sqrt(system.policy.variance(t)) * rng.normal();
    }
    // Means within 4 standard errors; covariances within 5% of sqrt(Sigma_ii Sigma_jj).
    const Eigen::VectorXd mean = z.rowwise().mean();
    const Eigen::MatrixXd centred = z.colwise() - mean;
    const Eigen::MatrixXd cov = centred * centred.transpose() / static_cast<double>(kSamples - 1);
    const Eigen::MatrixXd& exact_cov = marginals.cov[i];
    for (Eigen::Index r = 0; r <= kDim; ++r) {
      const double standard_error = std::sqrt(exact_cov(r, r) / static_cast<double>(kSamples));
      CHECK(std::abs(mean(r) - marginals.mean[i](r)) < 4.0 * standard_error);
      for (Eigen::Index c = 0; c <= kDim; ++c) {
        CHECK(std::abs(cov(r, c) - exact_cov(r, c)) <
              0.05 * std::sqrt(exact_cov(r, r) * exact_cov(c, c)));
      }
    }
    sample_cost += 0.5 * (z.array() * (system.cost.hessian[i] * z).array())
                             .colwise()
                             .sum()
                             .matrix()
                             .transpose() +
                   (system.cost.gradient[i].transpose() * z).transpose();
    if (t + 1 == kHorizon) break;
    states = system.dynamics.transition[i] * z +
             gaussian_samples(rng, system.dynamics.noise_cov[i], kSamples);
    states.colwise() += system.dynamics.offset[i];
  }
  // Laplace cost (§7.7) equals the expected cost exactly for a quadratic cost.
  const Eigen::VectorXd nu = Eigen::VectorXd::Zero(kHorizon);
  const l2o::LqgModel model{system.dynamics, system.cost, system.policy};
  const auto estimate = l2o::laplace_estimate(system.policy, model, nu, forward, l2o::LqgContext{});
  const double mc_mean = sample_cost.mean();
  const double mc_error =
      std::sqrt((sample_cost.array() - mc_mean).square().sum() / static_cast<double>(kSamples - 1) /
                static_cast<double>(kSamples));
  CHECK(std::abs(estimate.cost - mc_mean) < 4.0 * mc_error);
  CHECK(estimate.kl == 0.0);
}

}  // namespace
