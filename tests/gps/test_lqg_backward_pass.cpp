// LQG backward pass: closed-form scalar cases L1-L4, non-PD recovery K3 and the user-facing
// errors (gps-spec.md §7.2-§7.3, §17).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "gps/lqg/lqg_backward_pass.hpp"
#include "gps/test_lqg_fixtures.hpp"

namespace {

using l2o::LinearGaussianPolicy;
using l2o::LqgBackwardPass;
using l2o::LqgContext;
using l2o::LqgProblem;
using l2o::LqgValueTrace;

constexpr double kExact = 1e-12;

// L1: pure LQR, T = 3, C = I_2, A = B = 1, c = 0, eta = 1, nu = 0, anchor precision 0.
TEST_CASE("L1 pure LQR matches the Riccati recursion in closed form", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(3, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(3, 1.0, 1.0);
  LqgProblem problem{&dynamics, &cost};
  LqgBackwardPass backward(1, 3);
  LinearGaussianPolicy policy;
  LqgValueTrace trace;
  const double eta = backward.solve(problem, 1.0, policy, LqgContext{}, &trace);
  CHECK(eta == 1.0);
  const double gain[] = {-3.0 / 5, -1.0 / 2, 0.0};
  const double variance[] = {2.0 / 5, 1.0 / 2, 1.0};
  const double value[] = {8.0 / 5, 3.0 / 2, 1.0};
  for (int t = 0; t < 3; ++t) {
    CHECK(policy.gain(t, 0) == Approx(gain[t]).margin(kExact));
    CHECK(policy.variance(t) == Approx(variance[t]).epsilon(kExact));
    CHECK(policy.bias(t) == Approx(0.0).margin(kExact));
    CHECK(trace.matrix[static_cast<std::size_t>(t)](0, 0) == Approx(value[t]).epsilon(kExact));
  }
}

// L2: as L1 with the KL anchor psi-hat_t = (0, 0, 1).
TEST_CASE("L2 KL anchor adds the anchor's precision to the cost", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(3, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(3, 1.0, 1.0);
  const auto anchor = l2o::test::scalar_policy(3, 0.0, 0.0, 1.0);
  LqgProblem problem{&dynamics, &cost, &anchor};
  LqgBackwardPass backward(1, 3);
  LinearGaussianPolicy policy;
  LqgValueTrace trace;
  backward.solve(problem, 1.0, policy, LqgContext{}, &trace);
  const double gain[] = {-5.0 / 11, -1.0 / 3, 0.0};
  const double variance[] = {3.0 / 11, 1.0 / 3, 1.0 / 2};
  const double value[] = {21.0 / 11, 5.0 / 3, 1.0};
  for (int t = 0; t < 3; ++t) {
    CHECK(policy.gain(t, 0) == Approx(gain[t]).margin(kExact));
    CHECK(policy.variance(t) == Approx(variance[t]).epsilon(kExact));
    CHECK(trace.matrix[static_cast<std::size_t>(t)](0, 0) == Approx(value[t]).epsilon(kExact));
  }
}

// L3: L2 plus c = 0.1, nu = (1/2, 1, 2), pi-bar_t = (-1/2, 1/5, 2), lambda = (1/10, 0, -1/10):
// exercises rho_t != 1, the sign of lambda and every offset term.
TEST_CASE("L3 BADMM terms, rho_t and offsets give the exact rational solution", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(3, 1.0, 1.0, 0.1, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(3, 1.0, 1.0);
  const auto anchor = l2o::test::scalar_policy(3, 0.0, 0.0, 1.0);
  const auto linearisation = l2o::test::scalar_policy(3, -0.5, 0.2, 2.0);
  l2o::BadmmDuals duals(3, 0.0);
  duals.nu << 0.5, 1.0, 2.0;
  duals.lambda << 0.1, 0.0, -0.1;
  LqgProblem problem{&dynamics, &cost, &anchor, &linearisation, &duals};
  LqgBackwardPass backward(1, 3);
  LinearGaussianPolicy policy;
  LqgValueTrace trace;
  backward.solve(problem, 1.0, policy, LqgContext{}, &trace);
  const double gain[] = {-329.0 / 703, -17.0 / 44, -1.0 / 6};
  const double bias[] = {-59.0 / 7030, 1.0 / 55, 1.0 / 30};
  const double variance[] = {264.0 / 703, 6.0 / 11, 1.0};
  const double value_matrix[] = {21731.0 / 16872, 307.0 / 352, 7.0 / 18};
  const double value_vector[] = {8033.0 / 84360, 1.0 / 220, -1.0 / 36};
  for (int t = 0; t < 3; ++t) {
    const auto i = static_cast<std::size_t>(t);
    CHECK(policy.gain(t, 0) == Approx(gain[t]).epsilon(kExact));
    CHECK(policy.bias(t) == Approx(bias[t]).epsilon(kExact));
    CHECK(policy.variance(t) == Approx(variance[t]).epsilon(kExact));
    CHECK(trace.matrix[i](0, 0) == Approx(value_matrix[t]).epsilon(kExact));
    CHECK(trace.vector[i](0) == Approx(value_vector[t]).epsilon(kExact));
  }
}

// L4: the horizon limit of L1 is the discrete algebraic Riccati solution K = -(sqrt 5 - 1) / 2.
TEST_CASE("L4 long-horizon gain converges to the algebraic Riccati solution", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(200, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(200, 1.0, 1.0);
  LqgProblem problem{&dynamics, &cost};
  LqgBackwardPass backward(1, 200);
  LinearGaussianPolicy policy;
  backward.solve(problem, 1.0, policy, LqgContext{});
  CHECK(policy.gain(0, 0) == Approx(-(std::sqrt(5.0) - 1.0) / 2.0).epsilon(1e-12));
}

// K3: C_aa = -5 makes Q_aa negative at eta = 1; the recovery must raise eta above 5.
TEST_CASE("K3 non-positive-definite cost takes the eta increase path", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(20, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(20, 1.0, -5.0);
  const auto anchor = l2o::test::scalar_policy(20, 0.0, 0.0, 1.0);
  LqgProblem problem{&dynamics, &cost, &anchor};
  LqgBackwardPass backward(1, 20);
  LinearGaussianPolicy policy;
  const double eta = backward.solve(problem, 1.0, policy, LqgContext{});
  // At t = T-1, Q_aa = (-5 + eta) / eta; the recovery tries eta = 1 + 1e-4 * 2^k, k = 0, 1, ...
  CHECK(eta > 5.0);
  const double doublings = (eta - 1.0) / 1e-4;
  CHECK(std::abs(std::exp2(std::round(std::log2(doublings))) - doublings) < 1e-6 * doublings);
  CHECK((policy.variance.array() > 0.0).all());
  CHECK(policy.variance.allFinite());
  // The previous eta of the sequence must fail, so the recovery returns more than it.
  const double previous = 1.0 + (eta - 1.0) / 2.0;
  REQUIRE(previous < eta);
  LqgBackwardPass check_pass(1, 20);
  CHECK(check_pass.solve(problem, previous, policy, LqgContext{}) > previous);
}

TEST_CASE("No PD solution up to the eta limit throws naming group, iteration and step", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(5, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  auto cost = l2o::test::scalar_cost(5, 1.0, 1.0);
  cost.hessian[3](1, 1) = -1e20;  // needs eta > 1e20 > eta_limit at t = 3
  const auto anchor = l2o::test::scalar_policy(5, 0.0, 0.0, 1.0);
  LqgProblem problem{&dynamics, &cost, &anchor};
  LqgBackwardPass backward(1, 5);
  LinearGaussianPolicy policy;
  try {
    backward.solve(problem, 1.0, policy, LqgContext{2, 7});
    FAIL("expected LqgError");
  } catch (const l2o::LqgError& error) {
    const std::string message = error.what();
    CHECK(error.group() == 2);
    CHECK(error.iteration() == 7);
    CHECK(error.time_step() == 3);
    CHECK(message.find("group 2") != std::string::npos);
    CHECK(message.find("iteration 7") != std::string::npos);
    CHECK(message.find("time step 3") != std::string::npos);
    CHECK(message.find("contain NaN") == std::string::npos);
  }
}

TEST_CASE("NaN dynamics are reported by the eta-limit error and by validation", "[lqg]") {
  auto dynamics = l2o::test::scalar_dynamics(5, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  dynamics.transition[1](0, 1) = std::numeric_limits<double>::quiet_NaN();
  const auto cost = l2o::test::scalar_cost(5, 1.0, 1.0);
  const auto anchor = l2o::test::scalar_policy(5, 0.0, 0.0, 1.0);
  LqgProblem problem{&dynamics, &cost, &anchor};
  LqgBackwardPass backward(1, 5);
  LinearGaussianPolicy policy;
  CHECK_THROWS_WITH(backward.solve(problem, 1.0, policy, LqgContext{1, 4}),
                    Catch::Contains("contain NaN") && Catch::Contains("time step 1") &&
                        Catch::Contains("group 1"));
  CHECK_THROWS_WITH(problem.validate(LqgContext{1, 4}), Catch::Contains("dynamics.transition") &&
                                                            Catch::Contains("time step 1") &&
                                                            Catch::Contains("iteration 4"));
}

TEST_CASE("Mis-sized inputs are rejected naming the field", "[lqg]") {
  const auto dynamics = l2o::test::scalar_dynamics(4, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
  const auto cost = l2o::test::scalar_cost(4, 1.0, 1.0);
  const auto anchor = l2o::test::scalar_policy(3, 0.0, 0.0, 1.0);
  LqgProblem problem{&dynamics, &cost, &anchor};
  CHECK_THROWS_WITH(problem.check_shapes(), Catch::Contains("anchor.gain"));
  l2o::LqgParams params;
  params.eta_increment = 0.0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("eta_increment"));
}

// Inactive state components (gps-spec.md §2.2) get zero gains even if the cost couples them.
TEST_CASE("Gains of inactive components are zero", "[lqg]") {
  const Eigen::Index n = 2;
  const Eigen::Index horizon = 3;
  l2o::LinearGaussianDynamics dynamics(n, horizon);
  for (auto& transition : dynamics.transition) transition << 0.9, 0.1, 1.0, 0.0, 0.8, 0.5;
  dynamics.initial_cov.setIdentity();
  l2o::QuadraticCost cost(n, horizon);
  for (auto& hessian : cost.hessian) hessian << 1.0, 0.2, 0.3, 0.2, 1.0, 0.4, 0.3, 0.4, 1.0;
  l2o::ActiveMask active = l2o::ActiveMask::Constant(horizon, n, true);
  active(0, 1) = false;
  LqgProblem problem{&dynamics, &cost};
  problem.active = &active;
  LqgBackwardPass backward(n, horizon);
  LinearGaussianPolicy policy;
  backward.solve(problem, 1.0, policy, LqgContext{});
  CHECK(policy.gain(0, 1) == 0.0);
  CHECK(policy.gain(0, 0) != 0.0);
  CHECK(policy.gain(1, 1) != 0.0);
}

}  // namespace
