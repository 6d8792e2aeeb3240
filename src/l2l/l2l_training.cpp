#include "l2l/l2l_training.hpp"

#include <optional>

#include "l2l/l2l_truncation.hpp"
#include "nn/lstm_state.hpp"
#include "optim/adam.hpp"
#include "optim/hyperparameters.hpp"

namespace l2o {

void L2lTrainingParams::check() const {
  constexpr const char* owner = "l2l_training";
  require(episodes >= 0, owner, "episodes", ">= 0", episodes);
  require(truncation > 0, owner, "truncation", "> 0", truncation);
  require(horizon > 0 && horizon % truncation == 0, owner, "horizon",
          "> 0 and a multiple of truncation", horizon);
  require(learning_rate > 0.0, owner, "learning_rate", "> 0", learning_rate);
  require(validation_interval > 0, owner, "validation_interval", "> 0", validation_interval);
  require(validation_episodes > 0, owner, "validation_episodes", "> 0", validation_episodes);
}

namespace {

// Hands a precomputed meta-gradient to l2o::Adam, so the meta-optimiser is the same Adam
// (torch's formula) the harness compares against.
class MetaGradientOracle final : public MinibatchOracle {
 public:
  MetaGradientOracle(const Eigen::VectorXd& gradient, const double& loss)
      : gradient_(gradient), loss_(loss) {}
  [[nodiscard]] Eigen::Index dimension() const override { return gradient_.size(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& /*x*/) override {
    ++evaluations_;
    return loss_;
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& /*x*/,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    gradient = gradient_;
    return loss_;
  }

 private:
  const Eigen::VectorXd& gradient_;
  const double& loss_;
};

// Zero memories for d coordinates, reusing the storage when d is unchanged.
LstmState<double>& fresh_state(std::optional<LstmState<double>>& state, const LstmShape& shape,
                               Eigen::Index dimension) {
  if (state && state->batch_size() == dimension) {
    state->reset();
  } else {
    state.emplace(shape, dimension);
  }
  return *state;
}

}  // namespace

double l2l_episode_loss(L2lNetwork& network, const LstmParameters<double>& parameters,
                        L2lEpisode& episode, Eigen::Index horizon) {
  const Eigen::Index d = episode.dimension();
  Eigen::VectorXd x(d), gradient(d), delta(d);
  LstmState<double> state(network.shape(), d);
  episode.initial_point(x);
  episode.oracle(0).loss_gradient(x, gradient);
  double sum = 0.0;
  for (Eigen::Index t = 0; t < horizon; ++t) {
    network.step(parameters, gradient, state, delta);
    x += delta;
    sum += episode.oracle(t + 1).loss_gradient(x, gradient);
  }
  return sum / static_cast<double>(horizon);
}

double l2l_validation_loss(L2lNetwork& network, const LstmParameters<double>& parameters,
                           const L2lEpisodeFactory& factory, int count, Eigen::Index horizon) {
  double sum = 0.0;
  for (int e = 0; e < count; ++e) {
    sum += l2l_episode_loss(network, parameters, *factory(e), horizon);
  }
  return sum / count;
}

L2lTrainingResult train_l2l(const LstmParameters<double>& initial,
                            const L2lNetworkParams& network_params,
                            const L2lTrainingParams& training_params,
                            const L2lEpisodeFactory& training,
                            const L2lEpisodeFactory& validation) {
  training_params.check();
  const auto& p = training_params;
  const LstmShape& shape = initial.shape();
  L2lNetwork network(shape, network_params);
  L2lTruncation truncation(shape, network_params);

  LstmParameters<double> phi = initial;
  Eigen::VectorXd meta_gradient(shape.parameter_count());
  double meta_loss = 0.0;
  MetaGradientOracle meta_oracle(meta_gradient, meta_loss);
  AdamParameters adam_params;
  adam_params.learning_rate = p.learning_rate;
  Adam adam(adam_params);
  adam.start(shape.parameter_count());

  L2lTrainingResult result{phi, 0.0, {}, {}};
  result.best_validation_loss =
      l2l_validation_loss(network, phi, validation, p.validation_episodes, p.horizon);
  result.validation_losses.push_back(result.best_validation_loss);

  std::optional<LstmState<double>> state;
  Eigen::VectorXd x, gradient;
  for (int e = 0; e < p.episodes; ++e) {
    const auto episode = training(e);
    const Eigen::Index d = episode->dimension();
    x.resize(d);
    gradient.resize(d);
    LstmState<double>& memories = fresh_state(state, shape, d);
    episode->initial_point(x);
    episode->oracle(0).loss_gradient(x, gradient);
    double episode_loss = 0.0;
    for (int first = 0; first < p.horizon; first += p.truncation) {
      meta_loss =
          truncation.run(phi, *episode, first, p.truncation, x, memories, gradient, meta_gradient);
      episode_loss += meta_loss;
      adam.step(phi.values(), meta_oracle);
    }
    result.episode_meta_losses.push_back(episode_loss);
    if ((e + 1) % p.validation_interval == 0) {
      const double loss =
          l2l_validation_loss(network, phi, validation, p.validation_episodes, p.horizon);
      result.validation_losses.push_back(loss);
      if (loss < result.best_validation_loss) {
        result.best_validation_loss = loss;
        result.best_parameters = phi;
      }
    }
  }
  return result;
}

}  // namespace l2o
