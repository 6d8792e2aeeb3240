// Benchmark: one full DGD-LQG psi-step (gps-spec.md §7) at the production size, state dimension
// 76 and T = 400, on random stable dynamics, random SPD costs, a random anchor psi-hat and a
// random linearisation pi-bar with nu = 0.01. Prints the median wall time of one DGD solve (with
// its iteration count), of one backward pass and of one forward pass, and the GFLOP/s of the two
// passes against an Eigen GEMM of the per-step shape (76 x 77 * 77 x 77) measured in the same run.
// Usage: gps_lqg [repeats]
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median;
using l2o::bench::seconds_since;

constexpr Eigen::Index kDim = 76;
constexpr Eigen::Index kHorizon = 400;

Eigen::MatrixXd random_matrix(l2o::RandomStream& rng, Eigen::Index rows, Eigen::Index cols,
                              double scale) {
  return Eigen::MatrixXd::Zero(rows, cols).unaryExpr([&](double) { return scale * rng.normal(); });
}

// Synthetic problem: A with spectral radius about 0.5, SPD cost and noise, small random gains.
struct Problem {
  l2o::LinearGaussianDynamics dynamics{kDim, kHorizon};
  l2o::QuadraticCost cost{kDim, kHorizon};
  l2o::LinearGaussianPolicy anchor{kDim, kHorizon};
  l2o::LinearGaussianPolicy linearisation{kDim, kHorizon};
  l2o::BadmmDuals duals{kHorizon, 0.01};
};

Problem make_problem() {
  l2o::RandomStream rng(1, "bench-gps-lqg");
  Problem p;
  const double a_scale = 0.5 / std::sqrt(static_cast<double>(kDim));
  for (std::size_t t = 0; t + 1 < static_cast<std::size_t>(kHorizon); ++t) {
    p.dynamics.transition[t] << random_matrix(rng, kDim, kDim, a_scale),
        random_matrix(rng, kDim, 1, 0.3);
    p.dynamics.offset[t] = random_matrix(rng, kDim, 1, 0.1);
    const Eigen::MatrixXd root = random_matrix(rng, kDim, kDim, 0.1 / std::sqrt(double(kDim)));
    p.dynamics.noise_cov[t] = root * root.transpose();
  }
  p.dynamics.initial_mean = random_matrix(rng, kDim, 1, 1.0);
  p.dynamics.initial_cov = 1e-2 * Eigen::MatrixXd::Identity(kDim, kDim);
  for (Eigen::Index t = 0; t < kHorizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    const Eigen::MatrixXd root = random_matrix(rng, kDim + 1, kDim + 1, 1.0 / std::sqrt(77.0));
    p.cost.hessian[i] =
        root * root.transpose() + 0.1 * Eigen::MatrixXd::Identity(kDim + 1, kDim + 1);
    p.cost.gradient[i] = random_matrix(rng, kDim + 1, 1, 0.1);
    p.anchor.gain.row(t) = random_matrix(rng, 1, kDim, 0.05);
    p.anchor.variance(t) = 0.25;
    p.linearisation.gain.row(t) = random_matrix(rng, 1, kDim, 0.05);
    p.linearisation.bias(t) = 0.1 * rng.normal();
    p.linearisation.variance(t) = 0.3;
  }
  return p;
}

// Median GFLOP/s of C = A * B with the LQG's per-step shape, for the roofline.
double gemm_gflops() {
  l2o::RandomStream rng(2, "bench-gps-lqg-gemm");
  const Eigen::MatrixXd a = random_matrix(rng, kDim, kDim + 1, 1.0);
  const Eigen::MatrixXd b = random_matrix(rng, kDim + 1, kDim + 1, 1.0);
  Eigen::MatrixXd c(kDim, kDim + 1);
  constexpr int kInner = 2000;
  std::vector<double> rates;
  for (int r = 0; r < 7; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kInner; ++i) c.noalias() += a * b;
    rates.push_back(2.0 * kDim * (kDim + 1) * (kDim + 1) * kInner / seconds_since(start) * 1e-9);
  }
  std::printf("  (gemm checksum %.3g)\n", c.sum());
  return median(rates);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  std::printf("gps_lqg: n=%ld, T=%ld, %d repeats, loadavg start %s\n", static_cast<long>(kDim),
              static_cast<long>(kHorizon), repeats, load_average().c_str());
  const Problem p = make_problem();
  const l2o::LqgProblem problem{&p.dynamics, &p.cost, &p.anchor, &p.linearisation, &p.duals};
  l2o::DualGradientDescent dgd(kDim, kHorizon);
  l2o::LqgBackwardPass backward(kDim, kHorizon);
  l2o::LqgForwardPass forward(kDim, kHorizon);
  l2o::LinearGaussianPolicy policy(kDim, kHorizon);

  std::vector<double> dgd_ms, backward_ms, forward_ms;
  l2o::DgdResult result;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    result = dgd.solve(problem, 1.0, 1.0, policy, l2o::LqgContext{0, r});
    dgd_ms.push_back(1e3 * seconds_since(start));
    start = std::chrono::steady_clock::now();
    backward.solve(problem, result.eta, policy, l2o::LqgContext{0, r});
    backward_ms.push_back(1e3 * seconds_since(start));
    start = std::chrono::steady_clock::now();
    forward.run(policy, p.dynamics, l2o::LqgContext{0, r});
    forward_ms.push_back(1e3 * seconds_since(start));
  }
  // Dominant flops per step: backward SYMM 2n^2(n+1) + half GEMM (n+1)^2 n; forward GEMM
  // 2n(n+1)^2 + half GEMM n^2(n+1).
  const double n = kDim;
  const double backward_flop = kHorizon * (2.0 * n * n * (n + 1) + (n + 1) * (n + 1) * n);
  const double forward_flop = kHorizon * (2.0 * n * (n + 1) * (n + 1) + n * n * (n + 1));
  const double dgd_median = median(dgd_ms);
  const double backward_median = median(backward_ms);
  const double forward_median = median(forward_ms);
  const double gemm = gemm_gflops();
  std::printf(
      "DGD-LQG solve   median %8.2f ms  (%d iterations, eta %.4g, KL %.4g, epsilon %.4g, "
      "converged %d)\n",
      dgd_median, result.iterations, result.eta, result.kl, result.epsilon,
      static_cast<int>(result.converged));
  std::printf("backward pass   median %8.2f ms  %6.2f GFLOP/s\n", backward_median,
              backward_flop / backward_median * 1e-6);
  std::printf("forward pass    median %8.2f ms  %6.2f GFLOP/s\n", forward_median,
              forward_flop / forward_median * 1e-6);
  std::printf("GEMM 76x77*77x77 median %6.2f GFLOP/s (roofline); loadavg end %s\n", gemm,
              load_average().c_str());
  return 0;
}
