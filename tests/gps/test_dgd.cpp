// Dual gradient descent on the trust-region dual eta (gps-spec.md §7.6, §17 K2, K3).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/lqg/kl_linear_gaussian.hpp"
#include "gps/test_lqg_fixtures.hpp"

namespace {

constexpr Eigen::Index kHorizon = 20;

TEST_CASE("K2 DGD reaches the KL bound and KL falls with eta", "[dgd]") {
  // L2's system with T = 20, s_0 ~ N(0, 1), no dynamics noise.
  const auto dynamics = l2o::test::scalar_dynamics(kHorizon, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(kHorizon, 1.0, 1.0);
  const auto anchor = l2o::test::scalar_policy(kHorizon, 0.0, 0.0, 1.0);
  const l2o::LqgProblem problem{&dynamics, &cost, &anchor};
  l2o::DualGradientDescent dgd(1, kHorizon);
  // epsilon = kl_step (0.2) * multiplier * T: 0.05 T and 0.2 T.
  for (const double multiplier : {0.25, 1.0}) {
    l2o::LinearGaussianPolicy policy;
    const auto result = dgd.solve(problem, 1.0, multiplier, policy, l2o::LqgContext{0, 0});
    const double epsilon = 0.2 * multiplier * kHorizon;
    CHECK(result.epsilon == Approx(epsilon));
    CHECK(result.converged);
    CHECK(std::abs(result.kl - epsilon) < 0.1 * epsilon);
    CHECK_FALSE(result.kl_exceeds_tolerance(0.1));
    // The reported KL is that of the returned policy, recomputed independently.
    l2o::LqgForwardPass forward(1, kHorizon);
    forward.run(policy, dynamics, l2o::LqgContext{});
    CHECK(l2o::trust_region_kl(policy, anchor, forward.marginals(), l2o::LqgContext{}) ==
          Approx(result.kl).epsilon(1e-12));
  }

  // KL(psi'(eta) || anchor) is non-increasing on a log grid of eta.
  l2o::LqgBackwardPass backward(1, kHorizon);
  l2o::LqgForwardPass forward(1, kHorizon);
  l2o::LinearGaussianPolicy policy;
  double previous_kl = INFINITY;
  for (int k = -12; k <= 12; ++k) {
    const double eta = std::pow(10.0, 0.5 * k);
    CHECK(backward.solve(problem, eta, policy, l2o::LqgContext{}) == eta);
    forward.run(policy, dynamics, l2o::LqgContext{});
    const double kl = l2o::trust_region_kl(policy, anchor, forward.marginals(), l2o::LqgContext{});
    CHECK(kl <= previous_kl * (1.0 + 1e-12));
    previous_kl = kl;
  }
}

TEST_CASE("K3 DGD with a non-positive-definite cost returns a valid policy", "[dgd]") {
  const auto dynamics = l2o::test::scalar_dynamics(kHorizon, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(kHorizon, 1.0, -5.0);
  const auto anchor = l2o::test::scalar_policy(kHorizon, 0.0, 0.0, 1.0);
  const l2o::LqgProblem problem{&dynamics, &cost, &anchor};
  l2o::DualGradientDescent dgd(1, kHorizon);
  l2o::LinearGaussianPolicy policy;
  const auto result = dgd.solve(problem, 1.0, 1.0, policy, l2o::LqgContext{});
  CHECK(result.eta > 5.0);
  CHECK((policy.variance.array() > 0.0).all());
  CHECK(policy.gain.allFinite());
}

TEST_CASE("DGD rejects bad parameters and non-finite inputs", "[dgd]") {
  l2o::DgdParams params;
  params.max_iterations = 0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("max_iterations"));
  auto dynamics = l2o::test::scalar_dynamics(kHorizon, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(kHorizon, 1.0, 1.0);
  auto anchor = l2o::test::scalar_policy(kHorizon, 0.0, 0.0, 1.0);
  anchor.variance(6) = 0.0;
  const l2o::LqgProblem problem{&dynamics, &cost, &anchor};
  l2o::DualGradientDescent dgd(1, kHorizon);
  l2o::LinearGaussianPolicy policy;
  CHECK_THROWS_WITH(dgd.solve(problem, 1.0, 1.0, policy, l2o::LqgContext{3, 9}),
                    Catch::Contains("anchor.variance") && Catch::Contains("group 3") &&
                        Catch::Contains("iteration 9") && Catch::Contains("time step 6"));
}

}  // namespace
