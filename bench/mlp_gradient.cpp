// Benchmark: minibatch-64 loss+gradient of the 48-48-10 and 100-200-10 MLPs, and the full-set
// true objective+gradient over the 60,000 MNIST examples, with the Eigen GEMM GFLOP/s of the
// same machine measured in the same run as the roofline reference (issue 2, item 9).
// Usage: mlp_gradient [data_dir] [seconds_per_measurement]   (threads: OMP_NUM_THREADS)
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "data/catalog.hpp"
#include "eval/task_spec.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median_microseconds;

// Forward + backward FLOPs per example of an MLP: 2 per weight forward, 4 per weight backward
// (input gradient and weight gradient); the first layer's input gradient is skipped.
double flops_per_example(const l2o::Mlp& mlp) {
  double flops = 0.0;
  const auto& sizes = mlp.layer_sizes();
  for (std::size_t l = 1; l < sizes.size(); ++l) {
    const double weights = static_cast<double>(sizes[l]) * sizes[l - 1];
    flops += 2.0 * weights + (l == 1 ? 2.0 : 4.0) * weights;
  }
  return flops;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data_dir = l2o::resolve_data_dir(argc > 1 ? argv[1] : "");
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  Eigen::setNbThreads(1);  // as in the l2o binary: parallelism is explicit OpenMP
  const int threads = omp_get_max_threads();
  std::printf("# mlp_gradient: OMP_NUM_THREADS=%d, load average %s\n", threads,
              load_average().c_str());

  // Roofline reference: Eigen double GEMM, 1 thread, the minibatch's first-layer shape and 512^3.
  for (const Eigen::Index n : {Eigen::Index{64}, Eigen::Index{512}}) {
    const Eigen::Index k = n == 64 ? 100 : 512, m = n == 64 ? 200 : 512;
    const Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, k), b = Eigen::MatrixXd::Random(k, m);
    Eigen::MatrixXd c(n, m);
    const double us = median_microseconds([&] { c.noalias() = a * b; }, seconds);
    std::printf("gemm %ldx%ldx%ld double: %.1f us, %.1f GFLOP/s\n", static_cast<long>(n),
                static_cast<long>(k), static_cast<long>(m), us, 2.0 * n * k * m / us * 1e-3);
  }

  for (const auto& [input, hidden] : {std::pair{48, 48}, std::pair{100, 200}}) {
    l2o::TaskSpec spec;
    spec.input_dim = input;
    spec.hidden = {hidden};
    spec.data_dir = data_dir;
    const l2o::MlpTask task = l2o::make_task(spec);
    auto sampler = task.sampler(1);
    const Eigen::VectorXd x = task.mlp().initial_parameters(1);
    Eigen::VectorXd gradient(task.dimension());
    l2o::MlpWorkspace workspace;
    std::int64_t t = 0;
    const double batch_us = median_microseconds(
        [&] { task.batch_objective(x, sampler.batch(t++), gradient.data(), workspace); }, seconds);
    const double batch_flops = 64.0 * flops_per_example(task.mlp());
    std::printf("minibatch-64 loss+gradient %s: %.1f us, %.2f GFLOP/s\n",
                task.mlp().architecture().c_str(), batch_us, batch_flops / batch_us * 1e-3);
    const double full_us = median_microseconds([&] { task.true_objective(x, &gradient); }, seconds);
    const double full_flops = 60000.0 * flops_per_example(task.mlp());
    std::printf("true objective+gradient (60000 examples) %s: %.1f ms, %.2f GFLOP/s\n",
                task.mlp().architecture().c_str(), full_us * 1e-3, full_flops / full_us * 1e-3);
  }
  return 0;
}
