#include "eval/run_optimizer.hpp"

#include <chrono>
#include <cmath>

namespace l2o {

RunRecord run_optimizer(const MlpTask& task, Optimizer& optimizer, std::uint64_t seed,
                        std::int64_t iterations, std::int64_t record_every,
                        const ProgressCallback& progress) {
  RunRecord record;
  Eigen::VectorXd x = task.mlp().initial_parameters(seed);
  auto sampler = task.sampler(seed);
  MlpMinibatchOracle oracle(task);
  optimizer.start(task.mlp().groups());

  const double start_objective = task.true_objective(x);
  auto diverged = [&](double f) { return !std::isfinite(f) || f > 10.0 * start_objective; };
  auto record_true = [&](std::int64_t t, double f) {
    record.recorded_iterations.push_back(t);
    record.true_objective.push_back(f);
    if (progress) progress(t, f);
  };
  record_true(0, start_objective);
  if (diverged(start_objective)) {
    record.diverged_at = 0;
    return record;
  }
  using Clock = std::chrono::steady_clock;
  Clock::duration busy{};
  for (std::int64_t t = 0; t < iterations; ++t) {
    const auto begin = Clock::now();
    oracle.set_batch(sampler.batch(t));
    const StepReport report = optimizer.step(x, oracle);
    busy += Clock::now() - begin;
    record.minibatch_objective.push_back(report.loss);
    record.evaluations.push_back(report.evaluations);
    const std::int64_t next = t + 1;
    const bool non_finite = !std::isfinite(report.loss) || !x.allFinite();
    if (non_finite || next % record_every == 0 || next == iterations) {
      const double f =
          non_finite ? std::numeric_limits<double>::quiet_NaN() : task.true_objective(x);
      record_true(next, f);
      if (diverged(f)) {
        record.diverged_at = next;
        break;
      }
    }
  }
  record.wall_seconds = std::chrono::duration<double>(busy).count();
  return record;
}

}  // namespace l2o
