#pragma once
// L2L meta-training (gps-spec.md §16.2): Adam on phi, each episode of T steps split into T/U
// truncations with one meta-update each; every validation_interval episodes the mean validation
// loss (true objective, averaged over the horizon) over fixed episodes is evaluated and the best
// phi kept (the reference code's save-best rule).
//
// Meta-batches [D]: a meta-update may average the meta-gradients of M = episodes_per_update
// episodes run truncation by truncation in lockstep (M = 1 is the spec's single episode stream).
// Episode m of a meta-batch is computed by team member m mod size; the meta-gradients are
// gathered and summed in episode order, so every member takes the identical Adam step and the
// result is bitwise the same for any team size. Validation episodes are spread the same way.
//
// The trainer advances one meta-batch at a time and its whole state can be exported and imported,
// so a run can be checkpointed and resumed bitwise identically. No I/O, no MPI: the team's
// allgather is handed in (dist/ provides it).
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "l2l/l2l_episode.hpp"
#include "l2l/l2l_network.hpp"
#include "l2l/l2l_truncation.hpp"
#include "nn/lstm_parameters.hpp"
#include "optim/adam.hpp"

namespace l2o {

/// Meta-training schedule; defaults are §16.2's.
struct L2lTrainingParams {
  int episodes = 2500;            ///< E (>= 0, a multiple of episodes_per_update)
  int horizon = 400;              ///< T, steps per episode (> 0, a multiple of truncation)
  int truncation = 20;            ///< U, steps per meta-update (> 0)
  double learning_rate = 1e-3;    ///< Adam's step on phi (> 0; default betas, eps 1e-8)
  int validation_interval = 100;  ///< episodes between validations (> 0, multiple of M)
  int validation_episodes = 10;   ///< validation episodes 0..n-1 of the validation factory (> 0)
  int episodes_per_update = 1;    ///< M, episodes averaged per meta-update (>= 1; spec: 1)

  /// Throws std::invalid_argument "l2l.<field> must be ..." (the config keys) on a bad field.
  void check() const;
};

/// The processes sharing one meta-training run (e.g. MPI ranks).
struct L2lTeam {
  int rank = 0;  ///< this member, in [0, size)
  int size = 1;  ///< members
  /// Every member's `local` concatenated in member order, returned on every member (collective).
  /// Empty for a single process (the identity).
  std::function<std::vector<double>(const std::vector<double>&)> allgather;
};

/// Everything meta-training needs to continue exactly where it stopped.
struct L2lTrainerState {
  LstmParameters<double> parameters;                                      ///< phi
  AdamState adam;                                                         ///< Adam on phi
  std::int64_t episodes_done = 0;                                         ///< training episodes run
  LstmParameters<double> best_parameters;                                 ///< best validated phi
  double best_validation_loss = std::numeric_limits<double>::infinity();  ///< its loss
  std::vector<double> validation_losses;    ///< before training, then after every interval
  std::vector<double> episode_meta_losses;  ///< per training episode, sum of its truncations' L_u
};

/// Validation loss of one episode under m_phi (zero memories at t = 0), the true objective
/// averaged over the horizon: (1/T) sum_{t=1}^{T} f(x^(t)) (§16.2), x^(t) driven by the
/// minibatch gradients of episode.oracle(t).
double l2l_episode_loss(L2lNetwork& network, const LstmParameters<double>& parameters,
                        L2lEpisode& episode, Eigen::Index horizon);

/// Resumable meta-training from given initial parameters on deterministic episode factories.
class L2lTrainer {
 public:
  /// Trainer at episode 0 from `initial` (e.g. initial_l2l_parameters(shape, seed)), training on
  /// episodes 0..E-1 of `training` and validating on episodes 0..n-1 of `validation` (horizon T).
  /// Throws std::invalid_argument on bad parameters.
  L2lTrainer(const LstmParameters<double>& initial, const L2lNetworkParams& network_params,
             const L2lTrainingParams& training_params, L2lEpisodeFactory training,
             L2lEpisodeFactory validation, L2lTeam team = {});

  /// The state after the meta-batches so far.
  [[nodiscard]] const L2lTrainerState& state() const { return state_; }
  /// The schedule.
  [[nodiscard]] const L2lTrainingParams& params() const { return params_; }
  /// True once all E episodes have run.
  [[nodiscard]] bool finished() const { return state_.episodes_done >= params_.episodes; }

  /// One meta-batch: validates the initial phi first if nothing was validated yet, runs episodes
  /// episodes_done .. episodes_done+M-1 with T/U meta-updates, then validates if an interval is
  /// complete. Collective over the team. Throws std::logic_error when finished().
  void run_meta_batch();
  /// Runs meta-batches until `episodes` episodes (capped at E) are done.
  void run_until(std::int64_t episodes);

  /// Replaces the state by `state` (e.g. read from a checkpoint). Throws std::invalid_argument
  /// naming the inconsistency if it does not fit this trainer's shape and schedule.
  void import_state(const L2lTrainerState& state);

 private:
  void validate();
  std::vector<double> allgather(const std::vector<double>& local) const;

  L2lTrainingParams params_;
  L2lEpisodeFactory training_;
  L2lEpisodeFactory validation_;
  L2lTeam team_;
  L2lNetwork network_;
  L2lTruncation truncation_;
  Adam adam_;
  L2lTrainerState state_;
};

}  // namespace l2o
