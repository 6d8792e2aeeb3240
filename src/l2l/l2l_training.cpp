#include "l2l/l2l_training.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "nn/lstm_state.hpp"
#include "optim/hyperparameters.hpp"
#include "optim/precomputed_gradient_oracle.hpp"

namespace l2o {

void L2lTrainingParams::check() const {
  constexpr const char* owner = "l2l";
  require(episodes_per_update >= 1, owner, "episodes_per_update", ">= 1", episodes_per_update);
  require(episodes >= 0 && episodes % episodes_per_update == 0, owner, "episodes",
          ">= 0 and a multiple of episodes_per_update", episodes);
  require(truncation > 0, owner, "truncation", "> 0", truncation);
  require(horizon > 0 && horizon % truncation == 0, owner, "horizon",
          "> 0 and a multiple of truncation", horizon);
  require(learning_rate > 0.0, owner, "learning_rate", "> 0", learning_rate);
  require(validation_interval > 0 && validation_interval % episodes_per_update == 0, owner,
          "validation_interval", "> 0 and a multiple of episodes_per_update", validation_interval);
  require(validation_episodes > 0, owner, "validation_episodes", "> 0", validation_episodes);
}

namespace {

// One training episode in flight on this member: its optimisee iterate, memories and gradient
// carried from one truncation to the next.
struct RunningEpisode {
  std::int64_t index;  // m, position in the meta-batch
  std::unique_ptr<L2lEpisode> episode;
  Eigen::VectorXd x, gradient;
  LstmState<double> memories;
};

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
    episode.oracle(t + 1).loss_gradient(x, gradient);
    sum += episode.true_objective(x);
  }
  return sum / static_cast<double>(horizon);
}

L2lTrainer::L2lTrainer(const LstmParameters<double>& initial,
                       const L2lNetworkParams& network_params,
                       const L2lTrainingParams& training_params, L2lEpisodeFactory training,
                       L2lEpisodeFactory validation, L2lTeam team)
    : params_(training_params),
      training_(std::move(training)),
      validation_(std::move(validation)),
      team_(std::move(team)),
      network_(initial.shape(), network_params),
      truncation_(initial.shape(), network_params),
      adam_([&] {
        AdamParameters p;
        p.learning_rate = training_params.learning_rate;
        return p;
      }()),
      state_{initial, {}, 0, initial, std::numeric_limits<double>::infinity(), {}, {}} {
  params_.check();
  if (team_.size < 1 || team_.rank < 0 || team_.rank >= team_.size)
    throw std::invalid_argument("L2lTrainer: team rank outside [0, size)");
  adam_.start(initial.shape().parameter_count());
  state_.adam = adam_.state();
}

std::vector<double> L2lTrainer::allgather(const std::vector<double>& local) const {
  return team_.allgather ? team_.allgather(local) : local;
}

void L2lTrainer::validate() {
  // Episode v on member v mod size; losses summed in episode order.
  std::vector<double> mine;
  for (int v = team_.rank; v < params_.validation_episodes; v += team_.size) {
    mine.push_back(v);
    mine.push_back(l2l_episode_loss(network_, state_.parameters, *validation_(v), params_.horizon));
  }
  const std::vector<double> all = allgather(mine);
  std::vector<double> losses(static_cast<std::size_t>(params_.validation_episodes), 0.0);
  for (std::size_t i = 0; i + 1 < all.size(); i += 2)
    losses.at(static_cast<std::size_t>(all[i])) = all[i + 1];
  double sum = 0.0;
  for (const double loss : losses) sum += loss;
  const double loss = sum / params_.validation_episodes;
  state_.validation_losses.push_back(loss);
  if (loss < state_.best_validation_loss) {
    state_.best_validation_loss = loss;
    state_.best_parameters = state_.parameters;
  }
}

void L2lTrainer::run_meta_batch() {
  if (finished()) throw std::logic_error("L2lTrainer::run_meta_batch: training is finished");
  if (state_.validation_losses.empty()) validate();
  const LstmShape& shape = state_.parameters.shape();
  const Eigen::Index parameter_count = shape.parameter_count();
  const int batch = params_.episodes_per_update;

  std::vector<RunningEpisode> running;
  for (int m = team_.rank; m < batch; m += team_.size) {
    auto episode = training_(state_.episodes_done + m);
    const Eigen::Index d = episode->dimension();
    RunningEpisode r{m, std::move(episode), Eigen::VectorXd(d), Eigen::VectorXd(d),
                     LstmState<double>(shape, d)};
    r.episode->initial_point(r.x);
    r.episode->oracle(0).loss_gradient(r.x, r.gradient);
    running.push_back(std::move(r));
  }

  // Per truncation: [m, L_u, dL_u/dphi] of every episode in flight, gathered, then averaged in
  // episode order m = 0..M-1 (the first term is copied, so M = 1 is exactly one episode).
  const auto record = static_cast<std::size_t>(2 + parameter_count);
  Eigen::VectorXd own_gradient(parameter_count), meta_gradient(parameter_count);
  PrecomputedGradientOracle meta_oracle(meta_gradient);  // Adam on phi, torch's formula
  std::vector<double> episode_losses(static_cast<std::size_t>(batch), 0.0);
  std::vector<double> mine;
  for (int first = 0; first < params_.horizon; first += params_.truncation) {
    mine.clear();
    for (auto& r : running) {
      const double loss = truncation_.run(state_.parameters, *r.episode, first, params_.truncation,
                                          r.x, r.memories, r.gradient, own_gradient);
      mine.push_back(static_cast<double>(r.index));
      mine.push_back(loss);
      mine.insert(mine.end(), own_gradient.data(), own_gradient.data() + parameter_count);
    }
    const std::vector<double> all = allgather(mine);
    std::vector<const double*> by_episode(static_cast<std::size_t>(batch), nullptr);
    for (std::size_t i = 0; i + record <= all.size(); i += record)
      by_episode.at(static_cast<std::size_t>(all[i])) = &all[i];
    for (int m = 0; m < batch; ++m) {
      const double* r = by_episode[static_cast<std::size_t>(m)];
      if (r == nullptr) throw std::logic_error("L2lTrainer: a meta-batch episode is missing");
      const Eigen::Map<const Eigen::VectorXd> gradient(r + 2, parameter_count);
      if (m == 0)
        meta_gradient = gradient;
      else
        meta_gradient += gradient;
      episode_losses[static_cast<std::size_t>(m)] += r[1];
    }
    if (batch > 1) meta_gradient /= static_cast<double>(batch);
    adam_.step(state_.parameters.values(), meta_oracle);
  }
  state_.episode_meta_losses.insert(state_.episode_meta_losses.end(), episode_losses.begin(),
                                    episode_losses.end());
  state_.episodes_done += batch;
  state_.adam = adam_.state();
  if (state_.episodes_done % params_.validation_interval == 0) validate();
}

void L2lTrainer::run_until(std::int64_t episodes) {
  while (!finished() && state_.episodes_done < episodes) run_meta_batch();
}

void L2lTrainer::import_state(const L2lTrainerState& state) {
  const Eigen::Index n = state_.parameters.shape().parameter_count();
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("L2lTrainer::import_state: " + what);
  };
  const auto same_shape = [&](const LstmShape& s) {
    const LstmShape& t = state_.parameters.shape();
    return s.input_size == t.input_size && s.hidden_size == t.hidden_size &&
           s.num_layers == t.num_layers && s.output_size == t.output_size;
  };
  if (!same_shape(state.parameters.shape()) || !same_shape(state.best_parameters.shape()) ||
      state.parameters.values().size() != n || state.best_parameters.values().size() != n)
    fail("phi has " + std::to_string(state.parameters.values().size()) + " parameters, expected " +
         std::to_string(n));
  if (state.adam.first_moment.size() != n || state.adam.second_moment.size() != n)
    fail("Adam moments of another length");
  if (state.episodes_done < 0 || state.episodes_done > params_.episodes ||
      state.episodes_done % params_.episodes_per_update != 0)
    fail("episode counter " + std::to_string(state.episodes_done) +
         " is not a meta-batch boundary within the schedule");
  if (state.adam.iteration !=
      state.episodes_done / params_.episodes_per_update * (params_.horizon / params_.truncation))
    fail("Adam step count does not match the episode counter and schedule");
  if (static_cast<std::int64_t>(state.episode_meta_losses.size()) != state.episodes_done)
    fail("one meta-loss per episode expected");
  const std::int64_t validations =
      state.episodes_done == 0 ? 0 : 1 + state.episodes_done / params_.validation_interval;
  if (static_cast<std::int64_t>(state.validation_losses.size()) != validations)
    fail("validation history does not match the episode counter and interval");
  adam_.restore(state.adam);
  state_ = state;
}

}  // namespace l2o
