#include "l2l/mlp_l2l_episode.hpp"

#include "util/random_stream.hpp"

namespace l2o {

std::uint64_t l2l_episode_seed(std::uint64_t seed, const std::string& stream,
                               std::int64_t episode) {
  return RandomStream(seed, "l2l-episode-" + stream, {static_cast<std::uint64_t>(episode)})
      .next_u64();
}

MlpL2lEpisode::MlpL2lEpisode(const MlpTask& task, const MlpTask& cost_task,
                             std::uint64_t episode_seed)
    : task_(task),
      cost_task_(cost_task),
      seed_(episode_seed),
      sampler_(task.sampler(episode_seed)),
      oracle_(task) {}

void MlpL2lEpisode::initial_point(Eigen::Ref<Eigen::VectorXd> x) {
  x = task_.mlp().initial_parameters(seed_);
}

MinibatchOracle& MlpL2lEpisode::oracle(Eigen::Index step) {
  oracle_.set_batch(sampler_.batch(step));
  return oracle_;
}

double MlpL2lEpisode::true_objective(const Eigen::Ref<const Eigen::VectorXd>& x) {
  return cost_task_.true_objective(x);
}

L2lEpisodeFactory mlp_l2l_episodes(const MlpTask& task, const MlpTask& cost_task,
                                   std::uint64_t seed, std::string stream) {
  return [&task, &cost_task, seed, stream = std::move(stream)](std::int64_t episode) {
    return std::make_unique<MlpL2lEpisode>(task, cost_task,
                                           l2l_episode_seed(seed, stream, episode));
  };
}

}  // namespace l2o
