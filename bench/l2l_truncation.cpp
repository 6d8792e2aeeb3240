// Benchmark (issue 4 item 7): the L2L baseline of gps-spec.md §16 on MNIST. (1) Meta-training:
// seconds per 20-step truncation (L2lTruncation::run: 20 minibatch gradients, 20 recorded LSTM
// steps, BPTT) on the 48-48-10 net, over consecutive truncations of 400-step episodes, split into
// the optimisee gradients (timed inside the run through the episode's oracle) and the LSTM
// forward and BPTT (the same calls timed alone, outside the run). (2) Test time: one
// L2lOptimizer::step (minibatch gradient + LSTM step) on 48-48-10 (d = 2,842) and 100-200-10
// (d = 22,210), each first as one line `l2l_test_step d=<coordinates> median_ms=<x> cpu_ms=<c>`
// (issue 17; c is the median process CPU time, the figure to read on a loaded machine).
// Batch 64, the untrained §16.1 network; prints the double GEMM peak measured in the same run,
// the load average and the speed-up over the PyTorch figures of the issue.
// Usage: l2l_truncation <data_dir> [threads] [seconds_per_measurement]
#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "data/catalog.hpp"
#include "eval/task_spec.hpp"
#include "l2l/l2l_network.hpp"
#include "l2l/l2l_optimizer.hpp"
#include "l2l/l2l_truncation.hpp"
#include "l2l/mlp_l2l_episode.hpp"

namespace {

using l2o::bench::load_average;
using l2o::bench::median;
using l2o::bench::median_microseconds;
using l2o::bench::seconds_since;
using Clock = std::chrono::steady_clock;

// PyTorch L2L (Tezze2001/learning-to-learn-pytorch, Debian torch + OpenBLAS, 1 thread), measured
// once on this machine as quoted in issue 4 item 7.
constexpr double kTorchTruncationSeconds = 3.0;
constexpr double kTorchStepMs48 = 19.0;
constexpr double kTorchStepMs100 = 90.0;

constexpr int kTruncation = 20;  // U (§16.2)
constexpr int kHorizon = 400;    // T (§16.2)
constexpr std::uint64_t kSeed = 1;

// Forwards to an episode's oracle and adds the wall time of its calls to `seconds`: the
// optimisee-gradient share of a truncation, measured without touching L2lTruncation.
class TimedOracle final : public l2o::MinibatchOracle {
 public:
  void bind(l2o::MinibatchOracle& inner) { inner_ = &inner; }
  [[nodiscard]] Eigen::Index dimension() const override { return inner_->dimension(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    const auto start = Clock::now();
    const double value = inner_->loss(x);
    seconds += seconds_since(start);
    return value;
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    const auto start = Clock::now();
    const double value = inner_->loss_gradient(x, gradient);
    seconds += seconds_since(start);
    return value;
  }
  double seconds = 0.0;

 private:
  l2o::MinibatchOracle* inner_ = nullptr;
};

// An MlpL2lEpisode whose oracle calls are timed. Its true objective (validation only, not part
// of a truncation) is taken on the training set.
class TimedEpisode final : public l2o::L2lEpisode {
 public:
  TimedEpisode(const l2o::MlpTask& task, std::uint64_t seed) : episode_(task, task, seed) {}
  [[nodiscard]] Eigen::Index dimension() const override { return episode_.dimension(); }
  void initial_point(Eigen::Ref<Eigen::VectorXd> x) override { episode_.initial_point(x); }
  l2o::MinibatchOracle& oracle(Eigen::Index step) override {
    oracle_.bind(episode_.oracle(step));
    return oracle_;
  }
  double true_objective(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    return episode_.true_objective(x);
  }
  TimedOracle& timed_oracle() { return oracle_; }

 private:
  l2o::MlpL2lEpisode episode_;
  TimedOracle oracle_;
};

// FLOPs of one LSTM step per coordinate: each layer's gate GEMM [x | 1 | h] x packed weights,
// and the read-out (nonlinearities not counted), as in bench/lstm_step.
double lstm_step_flops_per_coordinate(const l2o::LstmShape& shape) {
  double flops = 2.0 * (shape.hidden_size + 1) * shape.output_size;
  for (Eigen::Index layer = 0; layer < shape.num_layers; ++layer) {
    flops += 2.0 * (shape.layer_input_size(layer) + 1 + shape.hidden_size) * 4 * shape.hidden_size;
  }
  return flops;
}

l2o::MlpTask mnist_task(const std::string& data_dir, int input_dim, int hidden) {
  l2o::TaskSpec spec;
  spec.input_dim = input_dim;
  spec.hidden = {hidden};
  spec.data_dir = data_dir;
  return l2o::make_task(spec);  // MNIST, batch 64, projection seed 1: the paper's task
}

// Consecutive truncations of training episodes 0, 1, ... (fixed phi: no Adam step, whose cost on
// the 5,301 parameters of phi is negligible); prints the median total and its split.
void bench_truncation(const l2o::MlpTask& task, const l2o::LstmParameters<double>& phi,
                      double seconds) {
  const Eigen::Index d = task.dimension();
  l2o::L2lTruncation truncation;
  l2o::LstmState<double> state(phi.shape(), d);
  Eigen::VectorXd x(d), gradient(d), meta_gradient(phi.shape().parameter_count());
  std::unique_ptr<TimedEpisode> episode;
  std::vector<double> totals, gradients;
  double meta_loss = 0.0;
  const int warmups = 3;
  const auto start = Clock::now();
  for (int k = 0; k < warmups + 10 || seconds_since(start) < seconds; ++k) {
    const int u = k % (kHorizon / kTruncation);
    if (u == 0) {  // a new episode: x^(0), zero memories, g_0 (untimed, as in train_l2l)
      episode = std::make_unique<TimedEpisode>(
          task, l2o::l2l_episode_seed(kSeed, "train", k / (kHorizon / kTruncation)));
      episode->initial_point(x);
      state.reset();
      episode->oracle(0).loss_gradient(x, gradient);
    }
    episode->timed_oracle().seconds = 0.0;
    const auto t0 = Clock::now();
    meta_loss = truncation.run(phi, *episode, u * kTruncation, kTruncation, x, state, gradient,
                               meta_gradient);
    const double total = seconds_since(t0);
    if (k >= warmups) {
      totals.push_back(total);
      gradients.push_back(episode->timed_oracle().seconds);
    }
  }

  // The LSTM part alone: 20 recorded steps of the network, then BPTT over them, on the last
  // truncation's gradient (the cost does not depend on the values).
  l2o::L2lNetwork network;
  l2o::LstmTape<double> tape;
  Eigen::VectorXd delta(d);
  const Eigen::MatrixXd d_outputs = Eigen::MatrixXd::Random(d, kTruncation) * 1e-3;
  const double forward_us = median_microseconds(
      [&] {
        tape.clear();
        for (int s = 0; s < kTruncation; ++s) network.step(phi, gradient, state, delta, &tape);
      },
      seconds / 2);
  const double backward_us = median_microseconds(
      [&] { network.engine().backward(phi, tape, d_outputs, meta_gradient); }, seconds / 2);

  const double total_s = median(totals), gradient_s = median(gradients);
  const double forward_flops = kTruncation * lstm_step_flops_per_coordinate(phi.shape()) * d;
  std::printf(
      "truncation %s (d=%ld, U=%d, batch %d): median %.4f s over %zu truncations "
      "(last L_u %.3f) -> %.1fx vs PyTorch %.1f s\n",
      task.mlp().architecture().c_str(), static_cast<long>(d), kTruncation, task.batch_size(),
      total_s, totals.size(), meta_loss, kTorchTruncationSeconds / total_s,
      kTorchTruncationSeconds);
  std::printf("  optimisee gradients (in the run): %.4f s (%.0f%%), %.1f us per gradient\n",
              gradient_s, 100.0 * gradient_s / total_s, gradient_s / kTruncation * 1e6);
  std::printf("  LSTM forward, 20 recorded steps (alone): %.4f s (%.0f%%), %.2f GFLOP/s\n",
              forward_us * 1e-6, 100.0 * forward_us * 1e-6 / total_s,
              forward_flops / forward_us * 1e-3);
  std::printf("  BPTT over 20 steps (alone): %.4f s (%.0f%%)\n", backward_us * 1e-6,
              100.0 * backward_us * 1e-6 / total_s);
  std::printf("  rest (suffix sums, x update, run-to-run noise): %.4f s\n",
              total_s - gradient_s - (forward_us + backward_us) * 1e-6);
  std::fflush(stdout);
}

// Test-time L2lOptimizer::step on fresh minibatches; runs restart every T = 400 steps as a
// test-time run does. Split: the minibatch gradient and the network step, each timed alone.
void bench_test_step(const l2o::MlpTask& task, const l2o::LstmParameters<double>& phi,
                     double torch_ms, double seconds) {
  const Eigen::Index d = task.dimension();
  l2o::L2lOptimizer optimizer(phi);
  l2o::MlpMinibatchOracle oracle(task);
  auto sampler = task.sampler(kSeed);
  Eigen::VectorXd x(d);
  std::int64_t t = 0;
  const l2o::bench::CallTimes step = l2o::bench::median_call_times(
      [&] {
        if (t % kHorizon == 0) {
          optimizer.start(d);
          x = task.mlp().initial_parameters(kSeed);
        }
        oracle.set_batch(sampler.batch(t++));
        optimizer.step(x, oracle);
      },
      seconds);

  Eigen::VectorXd gradient(d), delta(d);
  const double gradient_us = median_microseconds(
      [&] {
        oracle.set_batch(sampler.batch(t++));
        oracle.loss_gradient(x, gradient);
      },
      seconds / 2);
  l2o::L2lNetwork network;
  l2o::LstmState<double> state(phi.shape(), d);
  const double network_us =
      median_microseconds([&] { network.step(phi, gradient, state, delta); }, seconds / 2);
  const double network_flops = lstm_step_flops_per_coordinate(phi.shape()) * d;
  const double step_us = step.wall_microseconds;
  std::printf("l2l_test_step d=%ld median_ms=%.3f cpu_ms=%.3f\n", static_cast<long>(d),
              step_us * 1e-3, step.cpu_microseconds * 1e-3);
  std::printf(
      "test-time step %s (d=%ld): median %.3f ms -> %.1fx vs PyTorch %.0f ms | "
      "gradient alone %.3f ms, LSTM step alone %.3f ms (%.2f GFLOP/s)\n",
      task.mlp().architecture().c_str(), static_cast<long>(d), step_us * 1e-3,
      torch_ms / (step_us * 1e-3), torch_ms, gradient_us * 1e-3, network_us * 1e-3,
      network_flops / network_us * 1e-3);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: l2l_truncation <data_dir> [threads] [seconds_per_measurement]\n");
    return 2;
  }
  const std::string data_dir = l2o::resolve_data_dir(argv[1]);
  const int threads = argc > 2 ? std::atoi(argv[2]) : omp_get_max_threads();
  const double seconds = argc > 3 ? std::atof(argv[3]) : 3.0;
  omp_set_num_threads(threads);
  std::printf("# l2l_truncation: threads %d, load average %s\n", threads, load_average().c_str());

  // Roofline reference: the machine's double GEMM with the same number of threads.
  Eigen::setNbThreads(threads);
  const l2o::bench::GemmRate peak = l2o::bench::gemm_peak<double>(seconds / 2);
  Eigen::setNbThreads(1);  // as in the l2o binary: parallelism is explicit OpenMP
  std::printf("GEMM 512^3 double, %d thread(s): %.2f GFLOP/s\n", threads, peak.gflops);

  const l2o::LstmParameters<double> phi = l2o::initial_l2l_parameters(l2o::l2l_shape(), kSeed);
  const l2o::MlpTask task48 = mnist_task(data_dir, 48, 48);
  bench_truncation(task48, phi, seconds);
  bench_test_step(task48, phi, kTorchStepMs48, seconds);
  const l2o::MlpTask task100 = mnist_task(data_dir, 100, 200);
  bench_test_step(task100, phi, kTorchStepMs100, seconds);
  std::printf("# load average at the end %s\n", load_average().c_str());
  return 0;
}
