#pragma once
// One policy update of a group (gps-spec.md §8.5): I_pi = min(200, 10 ceil(S / 64)) Adam steps on
// the §8.4 loss over the S recorded sequences of the current iteration, minibatches of 64 sequences
// drawn without replacement per epoch (the last minibatch of an epoch smaller) from the stream
// (seed, "policy-minibatch", {iteration, group, epoch}), full BPTT, the gradient's global norm
// clipped to 5, no weight decay. Adam and its moments belong to the LstmPolicy and persist across
// updates. No I/O; deterministic and thread-count independent (policy_loss.hpp).
//
// Data parallel over MPI ranks (gps-spec.md §14): each minibatch's fixed gradient blocks are
// spread over the ranks and gathered to every rank in block order
// (policy_gradient_reduction.hpp), so every rank takes the identical Adam step, bitwise the same
// as one process. With several ranks update() and minibatch_gradient() are collectives: every
// rank calls them with the same policy, data, parameters and key.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "gps/policy/lstm_policy.hpp"
#include "gps/policy/policy_loss.hpp"

namespace l2o {

/// Schedule of a policy update; defaults are gps-spec.md §8.5's.
struct PolicyTrainingParams {
  int minibatch_sequences = 64;       ///< |S| (>= 1)
  int max_steps = 200;                ///< cap of I_pi (>= 0)
  int max_epochs = 10;                ///< I_pi <= max_epochs * ceil(S / |S|) (>= 0)
  double gradient_clip_norm = 5.0;    ///< global-norm clip (> 0)
  int gradient_block_sequences = 16;  ///< positions per gradient block (policy_loss.hpp, >= 1)

  /// Throws std::invalid_argument "policy_training.<field> must be ..." on a bad field.
  void check() const;
};

/// The training data of one update: S sequences in a fixed order (rollout order, then the
/// rollout's recorded coordinates), so positions and minibatches are rank independent.
struct PolicyTrainingSet {
  Eigen::MatrixXd observations;  ///< S x 3T raw observation sequences (observation_normalisation)
  Eigen::MatrixXd targets;       ///< S x T regression targets y_{j,t} (§8.3, scaled units)
  Eigen::VectorXd step_weights;  ///< T: c_t = w_t / G_t (policy_loss_step_weights)

  /// Appends one rollout's sequences: observations P x 3T and targets P x T (e.g.
  /// linear_policy_means(record.states, psi.gain, badmm_target_offsets(psi, duals))).
  void add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& observations,
                   const Eigen::Ref<const Eigen::MatrixXd>& targets);
  /// Number of sequences S.
  [[nodiscard]] Eigen::Index sequences() const { return targets.rows(); }
  /// Throws std::invalid_argument unless S >= 1, T >= 1 and the sizes agree.
  void check() const;
};

/// Key of an update's minibatch streams (gps-spec.md §12: never a rank or thread).
struct PolicyUpdateKey {
  std::uint64_t seed = 0;       ///< run seed
  std::uint64_t iteration = 0;  ///< GPS iteration i
  std::uint64_t group = 0;      ///< group g
};

/// What an update reports (gps-spec.md §8.5: the mean loss per update).
struct PolicyUpdateReport {
  std::vector<double> step_losses;     ///< minibatch loss before each Adam step
  std::vector<double> gradient_norms;  ///< global gradient norm before clipping, per step
  double mean_loss = 0.0;              ///< mean of step_losses (0 for no steps)
  int clipped_steps = 0;               ///< steps whose gradient was clipped
};

/// Scales `gradient` to norm `max_norm` if it is longer; returns the norm before clipping.
double clip_gradient_norm(Eigen::VectorXd& gradient, double max_norm);

/// Trains one group's policy on one training set.
template <class Scalar>
class PolicyTrainer {
 public:
  /// Normalises the observations once with the policy's frozen normalisation. `policy` and
  /// `data` must outlive the trainer.
  PolicyTrainer(LstmPolicy<Scalar>& policy, const PolicyTrainingSet& data,
                const PolicyTrainingParams& params);

  /// I_pi = min(max_steps, max_epochs * ceil(S / |S|)).
  [[nodiscard]] int steps_per_update() const;
  /// Loss (§8.4) and clipped gradient over the listed sequence indices (their order fixes the
  /// positions); `norm_before_clip` receives the unclipped norm. Collective (see above).
  double minibatch_gradient(std::span<const Eigen::Index> sequences, Eigen::VectorXd& gradient,
                            double& norm_before_clip);
  /// One policy update (§8.5) with minibatch streams keyed by `key`.
  PolicyUpdateReport update(const PolicyUpdateKey& key);

 private:
  LstmPolicy<Scalar>& policy_;
  const PolicyTrainingSet& data_;
  PolicyTrainingParams params_;
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> inputs_;  // S x 3T normalised
  PolicyLossGradient<Scalar> loss_;
  PolicyMinibatch<Scalar> minibatch_;
  std::vector<PolicyBlockGradient> owned_results_;  // this rank's blocks of a minibatch
  Eigen::VectorXd gradient_;
};

/// PolicyTrainer(policy, data, params).update(key).
template <class Scalar>
PolicyUpdateReport train_policy(LstmPolicy<Scalar>& policy, const PolicyTrainingSet& data,
                                const PolicyTrainingParams& params, const PolicyUpdateKey& key);

extern template class PolicyTrainer<float>;
extern template class PolicyTrainer<double>;

}  // namespace l2o
