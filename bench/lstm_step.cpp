// Benchmark: one test-time step of the coordinatewise LSTM policy (gps-spec.md §8.1, §15: 3
// inputs, one layer of 128 cells, linear read-out to 1 output) over N = 2,842 and N = 22,210
// coordinates, float and double, 1 and 2 threads. Prints the median time per step, GFLOP/s and
// the fraction of the Eigen GEMM peak measured in the same run: the better of the step's GEMM
// shape (N x 132 times 132 x 512, one call) and a 512^3 GEMM. Usage: lstm_step [rows_per_block]
// [seconds_per_measurement]
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
#include "nn/lstm_engine.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median_microseconds;

template <class Scalar>
void run(const char* type, Eigen::Index batch, int threads, Eigen::Index rows_per_block,
         double seconds) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  const l2o::LstmShape shape{};  // 3 inputs, 128 cells, 1 layer, 1 output
  l2o::LstmParameters<Scalar> parameters(shape);
  l2o::RandomStream stream(1, "bench-lstm-step");
  parameters.initialize(stream, l2o::LstmInit{.readout_bound = 0.1});
  l2o::LstmEngine<Scalar> engine(shape, l2o::LstmEngineParams{.rows_per_block = rows_per_block});
  l2o::LstmState<Scalar> state(shape, batch);
  const Matrix input = Matrix::Random(batch, shape.input_size);
  Matrix output(batch, shape.output_size);
  const double step_us =
      median_microseconds([&] { engine.step(parameters, input, state, output); }, seconds);

  // The GEMM inside the step, alone: [x | 1 | h] (N x 132) times packed weights (132 x 512).
  const Eigen::Index depth = shape.input_size + 1 + shape.hidden_size;
  const l2o::bench::GemmRate gemm =
      l2o::bench::gemm_rate<Scalar>(batch, depth, 4 * shape.hidden_size, seconds);
  // One call of that shape runs below Eigen's best (the N x 512 result leaves the cache), so
  // the peak is the better of it and the square 512^3 GEMM.
  const l2o::bench::GemmRate square = l2o::bench::gemm_peak<Scalar>(seconds);

  const double gemm_flops = 2.0 * batch * depth * 4 * shape.hidden_size;
  const double step_flops = gemm_flops + 2.0 * batch * (shape.hidden_size + 1) * shape.output_size;
  const double step_gflops = step_flops / step_us * 1e-3;
  const double peak_gflops = std::max(gemm.gflops, square.gflops);
  std::printf(
      "%-6s N=%6ld thr=%d | step %9.1f us %6.2f GFLOP/s | GEMM Nx132x512 %9.1f us "
      "%6.2f GFLOP/s | GEMM 512^3 %6.2f GFLOP/s | step/peak %5.1f%%\n",
      type, static_cast<long>(batch), threads, step_us, step_gflops, gemm.microseconds, gemm.gflops,
      square.gflops, 100.0 * step_gflops / peak_gflops);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Eigen::Index rows_per_block =
      argc > 1 ? std::atol(argv[1]) : l2o::LstmEngineParams{}.rows_per_block;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 1.5;
  std::printf("lstm_step: LSTM 3 -> 128 cells -> 1, rows_per_block %ld, loadavg start %s\n",
              static_cast<long>(rows_per_block), load_average().c_str());
  std::printf(
      "FLOP per step = 2N*132*512 (gate GEMM incl. bias row) + 2N*129 (read-out); the "
      "nonlinearities are not counted\n");
  for (const int threads : {1, 2}) {
    for (const Eigen::Index batch : {Eigen::Index{2842}, Eigen::Index{22210}}) {
      run<float>("float", batch, threads, rows_per_block, seconds);
      run<double>("double", batch, threads, rows_per_block, seconds);
    }
  }
  std::printf("loadavg end %s\n", load_average().c_str());
  return 0;
}
