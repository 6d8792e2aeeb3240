#pragma once
// Imitation of psi by the LSTM policy pi on the states pi itself visits (issue 19 item 2;
// docs/gps-design.md "Imitation of psi"), run after the ES generations. pi has a relative output
// on psi's moment directions (gps/policy/relative_output.hpp), so psi's action at any state of
// group g at step t is the log factor l_g(t) (es_controller.hpp), and one round r is
//   1. K rollouts of T steps on the training task, the first round(f K) driven by pi (none in
//      round 0, when pi does not exist yet), the others by psi, each recording the observation
//      sequences of P coordinates per group: the DAgger-style mixture, so pi is also trained on
//      the states its own mistakes lead to;
//   2. per group, one policy update (policy_training.hpp: Adam on the §8.4 loss, as BADMM's
//      theta-step) with targets y_{j,t} = l_g(t) and weights c_t = 1; the normalisation is fitted
//      on round 0's observations (§8.2) and frozen;
//   3. pi's and psi's meta-loss (es_meta_loss.hpp) on E evaluation rollouts with shared seeds:
//      the imitation gap, pi's cost minus psi's.
// Every random stream is keyed by (seed, purpose, round, rollout), never by a rank.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "gps/es/es_controller.hpp"
#include "gps/features/feature_set.hpp"
#include "gps/policy/relative_output.hpp"
#include "objective/mlp_task.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// The imitation phase's schedule (gps.imitation_* keys).
struct ImitationParams {
  int rounds = 0;                ///< R (0: no imitation)
  int rollouts = 8;              ///< K recorded rollouts per round
  Eigen::Index recorded = 32;    ///< P recorded coordinates per group and rollout
  double policy_fraction = 0.5;  ///< f: share of a round's rollouts driven by pi (r >= 1)
  int evaluation_rollouts = 8;   ///< E
  double max_log_factor = 2.0;   ///< L of the relative output

  /// Throws std::invalid_argument "imitation_<field> must be ..." on a bad field.
  void check() const;
  /// round(f K) for rounds >= 1, 0 in round 0.
  [[nodiscard]] int policy_driven_rollouts(int round) const;
};

/// The relative output that makes a zero policy output psi at its base rate: psi's base rate,
/// directions (es_directions) and size rules, L, and the time input over `horizon`.
RelativeOutput relative_output_of(const EsController& psi, int horizon, double max_log_factor);

/// The regression targets of group g's recorded coordinates: `rows` x T, every row psi's log rate
/// l_g(0), ..., l_g(T-1).
Eigen::MatrixXd imitation_targets(const EsController& psi, std::size_t group, Eigen::Index rows,
                                  int horizon);

/// Initial point and minibatches of recorded rollout `rollout` of round `round`.
std::uint64_t imitation_rollout_seed(std::uint64_t seed, int round, int rollout);
/// Initial point and minibatches of evaluation rollout `rollout` (the same in every round).
std::uint64_t imitation_evaluation_seed(std::uint64_t seed, int rollout);

/// Runs `driver` (psi or pi) for `horizon` steps on `task` from the initial point and minibatches
/// of `rollout_seed` and returns, per group, the observation sequences (P x m'T, the layout of
/// observation_normalisation.hpp, m' = policy_input_dimension) that a relative policy reading
/// `features` sees at P = min(group size, recorded) coordinates drawn from stream
/// (seed, "gps-recorded-coordinates", {round, rollout, group}). Throws std::runtime_error naming
/// the rollout if the iterate stops being finite.
std::vector<Eigen::MatrixXd> record_imitation_rollout(const MlpTask& task, Optimizer& driver,
                                                      FeatureSet features,
                                                      const RelativeOutput& relative,
                                                      std::uint64_t seed, int round, int rollout,
                                                      int horizon, Eigen::Index recorded);

}  // namespace l2o
