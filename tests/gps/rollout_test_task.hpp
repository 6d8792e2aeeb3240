#pragma once
// The small real task of the rollout tests: MNIST projected to 48 dimensions, a 48-8-10 net
// (groups layer1.weights 384, layer1.biases 8, layer2.weights 80, layer2.biases 10), minibatch
// 64, and a 2000-example cost set, so a rollout of a dozen steps takes milliseconds.
#include <memory>
#include <vector>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "gps/features/features.hpp"
#include "gps/features/scaled_units.hpp"
#include "gps/lqg/linear_gaussian.hpp"
#include "objective/cost_set.hpp"
#include "objective/mlp_task.hpp"
#include "test_support.hpp"

namespace l2o::test {

/// The task and its cost set, loaded once per test binary.
struct RolloutTask {
  MlpTask task;
  MlpTask cost_set;
};

inline const RolloutTask& rollout_task() {
  static const RolloutTask task = [] {
    const auto train = load_dataset(data_dir(), "mnist", "train");
    auto data = std::make_shared<ProjectedData>(RandomProjection(train, 48, 1).apply(train));
    MlpTask mlp_task(data, Mlp(48, {8}, 10), 64);
    MlpTask cost_set = cost_set_task(mlp_task, 2000, 7);
    return RolloutTask{std::move(mlp_task), std::move(cost_set)};
  }();
  return task;
}

/// One controller per group of `task`: K_t = `gradient_gain` on phi^g_0 (state index 25), k_t =
/// `bias`, G_t = `variance`, for `horizon` steps.
inline std::vector<LinearGaussianPolicy> feature_controllers(const MlpTask& task, int horizon,
                                                             double gradient_gain, double bias,
                                                             double variance) {
  std::vector<LinearGaussianPolicy> controllers;
  for (std::size_t g = 0; g < task.mlp().groups().size(); ++g) {
    LinearGaussianPolicy psi(kStateDim, horizon);
    psi.gain.col(kGradientFeatureOffset).setConstant(gradient_gain);
    psi.bias.setConstant(bias);
    psi.variance.setConstant(variance);
    controllers.push_back(psi);
  }
  return controllers;
}

/// Non-trivial scaled units for every group: state scales 0.5 + i / 76 (times g + 1), action
/// scale 10^-3 (g + 1).
inline std::vector<ScaledUnits> test_units(const MlpTask& task) {
  std::vector<ScaledUnits> units(task.mlp().groups().size());
  for (std::size_t g = 0; g < units.size(); ++g) {
    for (int i = 0; i < kStateDim; ++i) {
      units[g].state_scale(i) = (0.5 + i / 76.0) * static_cast<double>(g + 1);
    }
    units[g].action_scale = 1e-3 * static_cast<double>(g + 1);
  }
  return units;
}

}  // namespace l2o::test
