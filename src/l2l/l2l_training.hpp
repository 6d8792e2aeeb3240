#pragma once
// L2L meta-training (gps-spec.md §16.2): Adam on phi, one episode stream (meta-batch 1), each
// episode of T steps split into T/U truncations with one meta-update each; every
// validation_interval episodes the mean validation meta-loss over fixed episodes is evaluated and
// the best phi kept (the reference code's save-best rule). No I/O, no MPI; deterministic given
// the initial parameters and deterministic episode factories.
#include <Eigen/Core>
#include <vector>

#include "l2l/l2l_episode.hpp"
#include "l2l/l2l_network.hpp"
#include "nn/lstm_parameters.hpp"

namespace l2o {

/// Meta-training schedule; defaults are §16.2's.
struct L2lTrainingParams {
  int episodes = 2500;            ///< E (>= 0)
  int horizon = 400;              ///< T, steps per episode (> 0, a multiple of truncation)
  int truncation = 20;            ///< U, steps per meta-update (> 0)
  double learning_rate = 1e-3;    ///< Adam's step on phi (> 0; default betas, eps 1e-8)
  int validation_interval = 100;  ///< episodes between validations (> 0)
  int validation_episodes = 10;   ///< validation episodes 0..n-1 of the validation factory (> 0)

  /// Throws std::invalid_argument "l2l_training.<field> must be ..." on a bad field.
  void check() const;
};

/// What meta-training returns.
struct L2lTrainingResult {
  LstmParameters<double> best_parameters;   ///< phi with the lowest validation meta-loss
  double best_validation_loss = 0.0;        ///< its validation meta-loss
  std::vector<double> validation_losses;    ///< before training, then after every interval
  std::vector<double> episode_meta_losses;  ///< per training episode, sum of its truncations' L_u
};

/// Validation meta-loss of one episode under m_phi (zero memories at t = 0):
/// (1/T) sum_{t=1}^{T} f_{B_t}(x^(t)), with f_{B_t} = episode.oracle(t) (§16.2).
double l2l_episode_loss(L2lNetwork& network, const LstmParameters<double>& parameters,
                        L2lEpisode& episode, Eigen::Index horizon);

/// Mean of l2l_episode_loss over episodes 0..count-1 of `factory`.
double l2l_validation_loss(L2lNetwork& network, const LstmParameters<double>& parameters,
                           const L2lEpisodeFactory& factory, int count, Eigen::Index horizon);

/// Meta-trains from `initial` (e.g. initial_l2l_parameters(shape, seed)) on episodes 0..E-1 of
/// `training`, validating on `validation` (validation episodes also have horizon T).
L2lTrainingResult train_l2l(const LstmParameters<double>& initial,
                            const L2lNetworkParams& network_params,
                            const L2lTrainingParams& training_params,
                            const L2lEpisodeFactory& training, const L2lEpisodeFactory& validation);

}  // namespace l2o
