// Benchmark: recording one GPS rollout (gps-spec.md §3.3) of the 48-48-10 net on MNIST-48 at
// T = 400 with C_max = 256 recorded coordinates per group: 400 minibatch-64 gradients, 401
// cost-set objective+gradient evaluations, Phi_t of all 2842 coordinates per step, the controller
// and the recording. Once with the full training set as cost set (60,000 examples), once with a
// fixed random subset (gps-spec.md §1.1). Prints wall times and the share of the cost-set
// evaluations (measured separately). Usage: gps_rollout [data_dir] [subset_examples] [repeats]
// (defaults: configured data dir, 10000, 1). Threads: 1 (set inside; the brief's figure).
#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "gps/features/features.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "objective/cost_set.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median;
using l2o::bench::seconds_since;

constexpr int kHorizon = 400;

}  // namespace

int main(int argc, char** argv) {
  const std::string data_dir = l2o::resolve_data_dir(argc > 1 ? argv[1] : "");
  const std::int64_t subset = argc > 2 ? std::atoll(argv[2]) : 10000;
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  omp_set_num_threads(1);
  Eigen::setNbThreads(1);
  std::printf("# gps_rollout: 48-48-10, T=%d, C_max=256, 1 thread, load average %s\n", kHorizon,
              load_average().c_str());
  const auto train = l2o::load_dataset(data_dir, "mnist", "train");
  auto data =
      std::make_shared<l2o::ProjectedData>(l2o::RandomProjection(train, 48, 1).apply(train));
  const l2o::MlpTask task(data, l2o::Mlp(48, {48}, 10), 64);

  // A gradient-descent-like controller on phi^g_0 with exploration, in scaled units with
  // sigma_a = 1e-3 (a_raw ~ -0.1 phi^g_0 + 5e-4 eps).
  std::vector<l2o::LinearGaussianPolicy> controllers;
  std::vector<l2o::ScaledUnits> units(task.mlp().groups().size());
  for (auto& unit : units) unit.action_scale = 1e-3;
  for (std::size_t g = 0; g < units.size(); ++g) {
    l2o::LinearGaussianPolicy psi(l2o::kStateDim, kHorizon);
    psi.gain.col(l2o::kGradientFeatureOffset).setConstant(-100.0);
    psi.variance.setConstant(0.25);
    controllers.push_back(psi);
  }

  for (const std::int64_t examples : {std::int64_t{0}, subset}) {
    const l2o::MlpTask cost_set = l2o::cost_set_task(task, examples, 1);
    l2o::RolloutRecorder recorder(task, cost_set, {.horizon = kHorizon, .max_recorded = 256});
    std::vector<double> times;
    std::vector<double> cpu_times;  // process CPU time: the load-independent figure
    double final_objective = 0.0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const std::clock_t cpu_start = std::clock();
      const l2o::RolloutRecord record = recorder.record(controllers, units, 1, {0, r});
      cpu_times.push_back(static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
      times.push_back(seconds_since(start));
      final_objective = record.true_objective.back();
    }
    // The cost-set part alone: objective + gradient at x^(0), 5 calls, times 401.
    const Eigen::VectorXd x = task.mlp().initial_parameters(1);
    Eigen::VectorXd gradient;
    std::vector<double> call_times;
    for (int c = 0; c < 5; ++c) {
      const auto start = std::chrono::steady_clock::now();
      (void)cost_set.true_objective(x, &gradient);
      call_times.push_back(seconds_since(start));
    }
    std::printf(
        "cost set %6ld examples: rollout median %.2f s wall, %.2f s CPU over %d; cost-set f+grad "
        "%.1f ms/call (x 401 = %.2f s); f_T = %.4f\n",
        static_cast<long>(cost_set.train().labels.size()), median(times), median(cpu_times),
        repeats, 1e3 * median(call_times), 401 * median(call_times), final_objective);
    std::fflush(stdout);
  }
  std::printf("# load average end %s\n", load_average().c_str());
  return 0;
}
