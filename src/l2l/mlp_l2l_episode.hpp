#pragma once
// L2L episodes on the base-learner task (gps-spec.md §16.2): episode e of a stream draws its own
// x^(0) ~ D (the MLP's initialisation) and its own minibatch sequence, both from the episode seed
// derived from (seed, stream, e), so episodes are reproducible and independent of rank and thread.
#include <cstdint>
#include <memory>
#include <string>

#include "l2l/l2l_episode.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// Seed of episode `episode` of the stream named `stream` ("train", "validation").
std::uint64_t l2l_episode_seed(std::uint64_t seed, const std::string& stream, std::int64_t episode);

/// One episode of an MlpTask: x^(0) = initial_parameters(episode seed), B_t = the episode
/// sampler's batch t, f = the true objective of the cost-set task (objective/cost_set.hpp).
class MlpL2lEpisode final : public L2lEpisode {
 public:
  /// Episode with seed `episode_seed` on `task`, its true objective taken on `cost_task` (the
  /// same MLP on the cost set); both must outlive the episode.
  MlpL2lEpisode(const MlpTask& task, const MlpTask& cost_task, std::uint64_t episode_seed);

  [[nodiscard]] Eigen::Index dimension() const override { return task_.dimension(); }
  void initial_point(Eigen::Ref<Eigen::VectorXd> x) override;
  MinibatchOracle& oracle(Eigen::Index step) override;
  double true_objective(const Eigen::Ref<const Eigen::VectorXd>& x) override;

 private:
  const MlpTask& task_;
  const MlpTask& cost_task_;
  std::uint64_t seed_;
  MinibatchSampler sampler_;
  MlpMinibatchOracle oracle_;
};

/// Factory of the episodes of stream `stream` of `task` with true objective on `cost_task` (both
/// must outlive the factory).
L2lEpisodeFactory mlp_l2l_episodes(const MlpTask& task, const MlpTask& cost_task,
                                   std::uint64_t seed, std::string stream);

}  // namespace l2o
