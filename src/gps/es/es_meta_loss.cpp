#include "gps/es/es_meta_loss.hpp"

#include <cmath>
#include <stdexcept>

namespace l2o {

double es_meta_loss(const MlpTask& task, const MlpTask& cost_set, Optimizer& optimizer,
                    std::uint64_t rollout_seed, int horizon, int stride) {
  if (stride < 1 || horizon < stride)
    throw std::invalid_argument("es_meta_loss: needs 1 <= stride <= horizon");
  Eigen::VectorXd x = task.mlp().initial_parameters(rollout_seed);
  MinibatchSampler sampler = task.sampler(rollout_seed);
  MlpMinibatchOracle oracle(task);
  optimizer.start(task.mlp().groups());
  const double cap = 10.0 * cost_set.true_objective(x);
  const int terms = horizon / stride;
  double sum = 0.0;
  for (int t = 0; t < terms * stride; ++t) {
    oracle.set_batch(sampler.batch(t));
    optimizer.step(x, oracle);
    if ((t + 1) % stride != 0) continue;
    const double f = x.allFinite() ? cost_set.true_objective(x) : cap;
    if (!std::isfinite(f) || f > cap) {
      const int remaining = terms - (t + 1) / stride + 1;
      return (sum + remaining * cap) / terms;
    }
    sum += f;
  }
  return sum / terms;
}

}  // namespace l2o
