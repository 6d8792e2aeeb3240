// Benchmark (issue 17 item 5): the test-time step of the GPS learned optimizer, PSD (gps-spec.md
// §15), on large nets: the committed model's float policies (3 inputs -> 128 cells -> 1) moving
// every coordinate of the 48-48-10 net on MNIST-48 (N = 2,842) and of the 100-200-10 net on
// MNIST-100 (N = 22,210), as `l2o evaluate` runs them. Two cases per N and thread count:
//   * gradient excluded: PredictedStepDescent::steps alone (history push, observations Psi_t,
//     normalisation, one LSTM step per group) on a fixed gradient;
//   * gradient included: PsdOptimizer::step (minibatch-64 gradient, then the above) on fresh
//     minibatches, runs restarting every T = 400 steps.
// Prints one line per case,
//   psd_step N=<coordinates> threads=<t> median_ms=<x> peak_fraction=<f> gradient=<case>
//            cpu_ms=<c> cpu_peak_fraction=<g>
// with f = (GEMM work of the step / same-run float GEMM rate) / median wall time, and c the
// median process CPU time of a step (the figure to read on a loaded machine, where a step longer
// than a scheduler time slice also waits for other processes; bench_timing.hpp), and
// cpu_peak_fraction the same fraction from CPU times of the step and of the GEMMs. The GEMM work is
// the policy LSTM's gate GEMM (2 N 132 512) and read-out (2 N 129); the rate is the better of a
// GEMM of the step's shape (N x 132 x 512) and a 512^3 GEMM, measured in the same run with the
// same thread count. Usage: psd_step <data_dir> [model] [seconds_per_measurement]
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "data/catalog.hpp"
#include "eval/task_spec.hpp"
#include "gps/files/gps_model_file.hpp"
#include "gps/loop/gps_state.hpp"
#include "gps/policy/predicted_step_descent.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "io/hdf5_file.hpp"
#include "objective/mlp_task.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median_call_times;

constexpr int kHorizon = 400;  // T of a test-time run
constexpr std::uint64_t kSeed = 1;

l2o::MlpTask mnist_task(const std::string& data_dir, int input_dim, int hidden) {
  l2o::TaskSpec spec;
  spec.input_dim = input_dim;
  spec.hidden = {hidden};
  spec.data_dir = data_dir;
  return l2o::make_task(spec);  // MNIST, batch 64, projection seed 1: the paper's task
}

// GEMM work of one step of N coordinates: the gate GEMM [o~ | 1 | h] x packed weights and the
// read-out of every coordinate's LSTM (the nonlinearities are not counted), as bench/lstm_step.
double step_gemm_flops(Eigen::Index coordinates, Eigen::Index hidden) {
  const double depth = 3 + 1 + static_cast<double>(hidden);
  return 2.0 * static_cast<double>(coordinates) * (depth * 4 * hidden + hidden + 1);
}

// Seconds of one float GEMM m x k x n, wall and CPU medians (the caller's thread settings).
l2o::bench::CallTimes gemm_times(Eigen::Index m, Eigen::Index k, Eigen::Index n, double seconds) {
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(m, k), b = Eigen::MatrixXf::Random(k, n);
  Eigen::MatrixXf c(m, n);
  return median_call_times([&] { c.noalias() = a * b; }, seconds);
}

// The same-run float GEMM rate in FLOP per microsecond of wall and of CPU time: the better of a
// GEMM of the step's shape and a 512^3 GEMM (bench/lstm_step).
struct PeakRate {
  double per_wall_us = 0.0;
  double per_cpu_us = 0.0;
};

PeakRate peak_rate(Eigen::Index coordinates, Eigen::Index hidden, double seconds) {
  const Eigen::Index depth = 3 + 1 + hidden;
  const l2o::bench::CallTimes shape = gemm_times(coordinates, depth, 4 * hidden, seconds);
  const l2o::bench::CallTimes square = gemm_times(512, 512, 512, seconds);
  const double shape_flops = 2.0 * static_cast<double>(coordinates) * depth * 4 * hidden;
  const double square_flops = 2.0 * 512 * 512 * 512;
  return {std::max(shape_flops / shape.wall_microseconds, square_flops / square.wall_microseconds),
          std::max(shape_flops / shape.cpu_microseconds, square_flops / square.cpu_microseconds)};
}

void print_case(Eigen::Index coordinates, int threads, const l2o::bench::CallTimes& step,
                double flops, const PeakRate& peak, const char* gradient) {
  std::printf(
      "psd_step N=%ld threads=%d median_ms=%.3f peak_fraction=%.3f gradient=%s cpu_ms=%.3f "
      "cpu_peak_fraction=%.3f\n",
      static_cast<long>(coordinates), threads, step.wall_microseconds * 1e-3,
      flops / peak.per_wall_us / step.wall_microseconds, gradient, step.cpu_microseconds * 1e-3,
      flops / peak.per_cpu_us / step.cpu_microseconds);
  std::fflush(stdout);
}

void bench_task(const l2o::MlpTask& task, l2o::GpsModel& model, const std::string& model_path,
                int threads, double seconds) {
  omp_set_num_threads(threads);
  const Eigen::Index n = task.dimension();
  const Eigen::Index hidden = model.groups.front().policy.shape().hidden_size;

  // The same-run roofline: Eigen's float GEMM with this thread count (Eigen threading only for
  // the reference; the step's parallelism is the engine's OpenMP row blocks).
  Eigen::setNbThreads(threads);
  const PeakRate peak = peak_rate(n, hidden, seconds);
  Eigen::setNbThreads(1);
  const double flops = step_gemm_flops(n, hidden);

  // Gradient excluded: the steps of one run on a fixed minibatch gradient (the test net has the
  // model's roles, so group g takes the model's policy g).
  const std::vector<l2o::ParameterGroup>& groups = task.mlp().groups();
  std::vector<l2o::GpsPolicy*> policies;
  for (l2o::GpsModelGroup& group : model.groups) policies.push_back(&group.policy);
  l2o::PredictedStepDescent<float> descent(groups, policies, model.features);
  l2o::MlpMinibatchOracle oracle(task);
  auto sampler = task.sampler(kSeed);
  Eigen::VectorXd x = task.mlp().initial_parameters(kSeed), gradient(n);
  oracle.set_batch(sampler.batch(0));
  const double loss = oracle.loss_gradient(x, gradient);
  int t = 0;
  const l2o::bench::CallTimes excluded = median_call_times(
      [&] {
        if (t++ % kHorizon == 0) descent.reset();
        descent.steps(loss, gradient, x);
      },
      seconds);
  print_case(n, threads, excluded, flops, peak, "excluded");

  // Gradient included: the optimizer as `l2o evaluate` runs it.
  l2o::PsdOptimizer optimizer(
      l2o::read_gps_model(l2o::open_hdf5_for_reading(model_path).open_group("model")));
  std::int64_t step = 0;
  const l2o::bench::CallTimes included = median_call_times(
      [&] {
        if (step % kHorizon == 0) {
          optimizer.start(groups);
          x = task.mlp().initial_parameters(kSeed);
        }
        oracle.set_batch(sampler.batch(step++));
        optimizer.step(x, oracle);
      },
      seconds);
  print_case(n, threads, included, flops, peak, "included");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: psd_step <data_dir> [model] [seconds_per_measurement]\n");
    return 2;
  }
  const std::string data_dir = l2o::resolve_data_dir(argv[1]);
  const std::string model_path = argc > 2 ? argv[2] : "models/psd_mnist48.h5";
  const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  std::printf("# psd_step: model %s, load average %s\n", model_path.c_str(),
              load_average().c_str());
  l2o::GpsModel model =
      l2o::read_gps_model(l2o::open_hdf5_for_reading(model_path).open_group("model"));
  const l2o::MlpTask task48 = mnist_task(data_dir, 48, 48);
  const l2o::MlpTask task100 = mnist_task(data_dir, 100, 200);
  for (const int threads : {1, 2}) {
    bench_task(task48, model, model_path, threads, seconds);
    bench_task(task100, model, model_path, threads, seconds);
  }
  std::printf("# load average at the end %s\n", load_average().c_str());
  return 0;
}
