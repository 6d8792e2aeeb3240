// Benchmark: the gradient of one minibatch of GPS policy training (gps-spec.md §8.4; the unit of
// the "policy" phase, docs/benchmarks.md issue 17): the §8.1 policy LSTM (3 inputs, 128 cells,
// float) over |S| = 64 sequences of T = 400 steps, cut into blocks of 16 sequences, forward with
// the tape and backpropagation through time. Prints, on 1 thread, the median time of one block
// (forward alone, and forward + backward) and of the whole minibatch, their GFLOP/s (the GEMM
// work: forward, the input gradients and the weight gradients, 2 x 16 x 132 x 512 each per step)
// and the fraction of the float GEMM peak measured in the same run.
// Usage: policy_gradient [seconds_per_measurement] [block_sequences]
#include <omp.h>

#include <Eigen/Core>
#include <cstdio>
#include <cstdlib>

#include "bench_timing.hpp"
#include "gps/policy/policy_loss.hpp"
#include "util/random_stream.hpp"

namespace {

using Matrix = Eigen::MatrixXf;

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  omp_set_num_threads(1);
  Eigen::setNbThreads(1);
  constexpr Eigen::Index kSequences = 64, kSteps = 400;
  const Eigen::Index kBlock = argc > 2 ? std::atol(argv[2]) : 16;
  const l2o::LstmShape shape{};  // 3 inputs, 128 cells, 1 layer, 1 output
  l2o::LstmParameters<float> weights(shape);
  l2o::RandomStream stream(1, "bench-policy-gradient");
  weights.initialize(stream, l2o::LstmInit{.readout_bound = 0.1});
  l2o::PolicyMinibatch<float> minibatch;
  minibatch.inputs = Matrix::Random(kSequences, shape.input_size * kSteps);
  minibatch.targets = Eigen::MatrixXd::Random(kSequences, kSteps);
  const Eigen::VectorXd step_weights = Eigen::VectorXd::Ones(kSteps);

  l2o::PolicyLossGradient<float> loss(shape, kBlock);
  l2o::PolicyBlockGradient block_result;
  Eigen::VectorXd gradient;
  const l2o::bench::CallTimes block = l2o::bench::median_call_times(
      [&] { loss.gradient_of_sequences(weights, minibatch, step_weights, 0, block_result); },
      seconds);
  const l2o::bench::CallTimes whole = l2o::bench::median_call_times(
      [&] { loss.loss_gradient(weights, minibatch, step_weights, gradient); }, seconds);

  l2o::LstmEngine<float> engine(shape);
  l2o::LstmState<float> memory(shape, kBlock);
  l2o::LstmTape<float> tape;
  Matrix outputs(kBlock, kSteps);
  const l2o::bench::CallTimes forward = l2o::bench::median_call_times(
      [&] {
        memory.reset();
        tape.clear();
        engine.forward_sequence(weights, minibatch.inputs.topRows(kBlock), memory, outputs, tape);
      },
      seconds);

  const l2o::bench::GemmRate peak = l2o::bench::gemm_peak<float>(seconds);
  const double depth = static_cast<double>(shape.input_size + 1 + shape.hidden_size);
  const double gemm_flops = 2.0 * kBlock * depth * 4.0 * shape.hidden_size * kSteps;
  const auto report = [&](const char* what, const l2o::bench::CallTimes& times, double flops) {
    const double gflops = flops / times.wall_microseconds * 1e-3;
    std::printf(
        "policy_gradient %-22s median_ms=%8.2f cpu_ms=%8.2f GFLOP/s=%6.2f peak_fraction=%.3f\n",
        what, times.wall_microseconds * 1e-3, times.cpu_microseconds * 1e-3, gflops,
        gflops / peak.gflops);
  };
  std::printf("# load average %s; float GEMM 512^3 %.2f GFLOP/s (the peak)\n",
              l2o::bench::load_average().c_str(), peak.gflops);
  report("block_forward", forward, gemm_flops);
  report("block_forward_backward", block, 3.0 * gemm_flops);
  report("minibatch_64", whole, 3.0 * gemm_flops * kSequences / kBlock);
  return 0;
}
