// Benchmark: one full GPS fit (gps-spec.md §4, §5.1, §5.2; §6 reported separately) for the four
// groups of the 48-48-10 net (sizes 2304, 48, 480, 10) at T = 400 with 20 rollouts and
// min(n_g, 256) recorded coordinates per group, on synthetic recorded data. Prints the median
// wall time of (a) accumulating the sufficient statistics of all rollouts (the rollout-parallel
// part, §14) with its GFLOP/s, (b) the fits from the reduced statistics, and (c) one DGD-LQG
// psi-step per group on the fitted model (anchor: zero gains, variance 0.25; nu = 0.01; lambda =
// 0). Rollout records cycle over two generated records per group (the cost does not depend on the
// values). Usage: gps_fit [repeats [threads...]]  (default: 3 repeats, 1 and 2 threads)
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "gps/features/features.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/policy_linearisation.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median;
using l2o::bench::seconds_since;

constexpr int kHorizon = 400;
constexpr int kRollouts = 20;
constexpr Eigen::Index kMaxRecorded = 256;

struct Group {
  const char* name;
  Eigen::Index size;
};
constexpr Group kGroups[] = {{"W1", 2304}, {"b1", 48}, {"W2", 480}, {"b2", 10}};

// Synthetic record: states uniform in [-1, 1] on the active components, actions and gradients
// uniform (scaled-unit magnitudes).
l2o::GroupRolloutRecord synthetic_record(Eigen::Index points, std::uint64_t index) {
  l2o::RandomStream random(1, "bench-gps-fit", {index});
  const auto uniform = [&](double) { return 2.0 * random.uniform() - 1.0; };
  l2o::GroupRolloutRecord record;
  for (int t = 0; t < kHorizon; ++t) {
    Eigen::MatrixXd s = Eigen::MatrixXd::Zero(points, l2o::kStateDim).unaryExpr(uniform);
    for (int i = 0; i < l2o::kStateDim; ++i) {
      if (!l2o::is_active(i, t)) s.col(i).setZero();
    }
    record.states.push_back(std::move(s));
  }
  record.actions = Eigen::MatrixXd::Zero(points, kHorizon).unaryExpr(uniform);
  record.true_gradients = 1e-3 * Eigen::MatrixXd::Zero(points, kHorizon + 1).unaryExpr(uniform);
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<int> thread_counts;
  for (int a = 2; a < argc; ++a) thread_counts.push_back(std::max(1, std::atoi(argv[a])));
  if (thread_counts.empty()) thread_counts = {1, 2};
  std::printf(
      "gps_fit: T=%d, %d rollouts, groups W1 2304, b1 48, W2 480, b2 10 (<= %ld recorded "
      "each), loadavg start %s\n",
      kHorizon, kRollouts, static_cast<long>(kMaxRecorded), load_average().c_str());
  std::vector<std::vector<l2o::GroupRolloutRecord>> records;  // [group][0..1]
  for (std::uint64_t g = 0; g < 4; ++g) {
    const Eigen::Index points = std::min(kGroups[g].size, kMaxRecorded);
    records.push_back({synthetic_record(points, 2 * g), synthetic_record(points, 2 * g + 1)});
  }
  double recorded_points = 0.0;
  for (const auto& group : records) recorded_points += group[0].actions.rows();
  // Products per step per point: Gram (p^2, symmetric half counted) and cross (q p).
  const l2o::TransitionStatistics layout(kHorizon);  // the paper's 76-dim state
  const double p = layout.sums().u_columns();
  const double q = layout.sums().v_columns();
  const double accumulate_flops =
      2.0 * kRollouts * kHorizon * recorded_points * (p * (p + 1) / 2 + q * p);

  // Threads go to the loops over time steps; the small products inside stay single-threaded
  // (a 2-thread Eigen GEMM of LQG size collapses on a shared machine, environment.md §3).
  Eigen::setNbThreads(1);
  for (const int threads : thread_counts) {
    omp_set_num_threads(threads);
    std::vector<double> accumulate_times, fit_times, cost_times, dynamics_times, policy_times,
        lqg_times;
    const l2o::ActiveMask mask = l2o::active_mask(kHorizon);
    l2o::LinearGaussianPolicy anchor(l2o::kStateDim, kHorizon);
    anchor.variance.setConstant(0.25);
    const l2o::BadmmDuals duals(kHorizon, 0.01);
    l2o::DualGradientDescent dgd(l2o::kStateDim, kHorizon);
    l2o::LinearGaussianPolicy solution(l2o::kStateDim, kHorizon);
    int dgd_iterations = 0;
    double total_cpu_seconds = 0.0;  // process CPU time of everything timed, all threads
    for (int repeat = 0; repeat < repeats; ++repeat) {
      std::vector<l2o::TransitionStatistics> statistics(4, l2o::TransitionStatistics(kHorizon));
      std::vector<l2o::PolicyStatistics> policy(4, l2o::PolicyStatistics(kHorizon));
      const std::clock_t cpu_start = std::clock();
      const auto start = std::chrono::steady_clock::now();
      for (int n = 0; n < kRollouts; ++n) {
        for (int g = 0; g < 4; ++g) statistics[g].add_rollout(records[g][n % 2]);
      }
      accumulate_times.push_back(seconds_since(start));
      total_cpu_seconds += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      for (int n = 0; n < kRollouts; ++n) {
        for (int g = 0; g < 4; ++g) {
          policy[g].add_rollout(records[g][n % 2].states, records[g][n % 2].actions);
        }
      }

      double cost_seconds = 0.0, dynamics_seconds = 0.0, policy_seconds = 0.0, lqg_seconds = 0.0;
      const std::clock_t fit_cpu_start = std::clock();
      for (int g = 0; g < 4; ++g) {
        const l2o::FitContext context{g, 0};
        auto t0 = std::chrono::steady_clock::now();
        const l2o::CostModelFit unit = l2o::fit_cost_model(statistics[g], 1.0, 1.0, {}, context);
        const l2o::CostModelFit cost =
            l2o::fit_cost_model(statistics[g], 1.0, l2o::cost_normaliser(unit), {}, context);
        cost_seconds += seconds_since(t0);
        t0 = std::chrono::steady_clock::now();
        const l2o::DynamicsFit dynamics = l2o::fit_dynamics(statistics[g], {}, context);
        dynamics_seconds += seconds_since(t0);
        t0 = std::chrono::steady_clock::now();
        const l2o::PolicyLinearisationFit linearisation =
            l2o::fit_policy_linearisation(policy[g], {}, context);
        policy_seconds += seconds_since(t0);
        t0 = std::chrono::steady_clock::now();
        const l2o::LqgProblem problem{.dynamics = &dynamics.dynamics,
                                      .cost = &cost.cost,
                                      .anchor = &anchor,
                                      .linearisation = &linearisation.linearisation,
                                      .duals = &duals,
                                      .active = &mask};
        dgd_iterations += dgd.solve(problem, 1.0, 1.0, solution, {g, 0}).iterations;
        lqg_seconds += seconds_since(t0);
        if (!cost.cost.hessian.back().allFinite() || !dynamics.dynamics.transition[0].allFinite() ||
            !linearisation.linearisation.gain.allFinite()) {
          std::fprintf(stderr, "non-finite fit\n");
          return 1;
        }
      }
      total_cpu_seconds += static_cast<double>(std::clock() - fit_cpu_start) / CLOCKS_PER_SEC;
      cost_times.push_back(cost_seconds);
      dynamics_times.push_back(dynamics_seconds);
      fit_times.push_back(cost_seconds + dynamics_seconds);
      policy_times.push_back(policy_seconds);
      lqg_times.push_back(lqg_seconds);
    }

    const double accumulate = median(accumulate_times);
    std::printf(
        "threads=%d  accumulate 20 rollouts x 4 groups: median %.3f s (%.2f GFLOP/s)\n"
        "           fits (cost model x2 for gamma + dynamics + initial state, 4 groups): median "
        "%.3f s  [cost %.3f s, dynamics %.3f s]\n"
        "           policy linearisation (4 groups, once per inner iteration): median %.3f s\n"
        "           DGD-LQG psi-step (4 groups): median %.3f s (%.1f passes per group)\n"
        "           process CPU time of all timed phases per repeat: %.3f s\n",
        threads, accumulate, accumulate_flops / accumulate * 1e-9, median(fit_times),
        median(cost_times), median(dynamics_times), median(policy_times), median(lqg_times),
        dgd_iterations / (4.0 * repeats), total_cpu_seconds / repeats);
    std::fflush(stdout);
  }
  std::printf("loadavg end %s\n", load_average().c_str());
  return 0;
}
