#pragma once
// The global policy pi of one coordinate group (gps-spec.md §8): a 1-layer LSTM of 128 cells on
// the normalised observations o~ = diag(beta) o + zeta (§8.2) with a linear read-out giving the
// scaled mean step mu~ = w_o^T h + b_o; the raw step is sigma_a mu~ (§8.1). It is used three ways:
//   * teacher-forced passes over recorded observation sequences from zero memory (§6 item 2, §9),
//   * one Adam step of omega per minibatch gradient (§8.5; the moments belong to the policy and
//     persist across policy updates and checkpoints),
//   * test-time steps with persistent per-coordinate memory and no noise (§15).
//
// Precision: omega is held in double (Adam's state and the checkpoint are double, so resuming is
// bitwise exact); the LSTM runs in `Scalar`, a copy of omega refreshed after every Adam step.
// float halves the GEMM cost of training and teacher-forced passes (the spec's budget item 8 of
// §18.2) and is allowed by §1.2; double is used for the gradient checks (§17 P1). Both are
// deterministic and independent of the thread count: training by policy_loss.hpp's fixed blocks;
// the forward passes here by LstmEngine's fixed row blocks, and because their GEMM depth
// (3 + 1 + H = 132) is below Eigen 3.4's depth blocking for any thread count (>= 248), an
// Eigen-threaded GEMM rounds like a serial one (tested; the l2o binary disables Eigen threading).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "gps/features/observation_normalisation.hpp"
#include "nn/lstm_engine.hpp"
#include "nn/lstm_parameters.hpp"
#include "nn/lstm_state.hpp"
#include "optim/adam.hpp"

namespace l2o {

/// Architecture and optimiser of a group's policy; defaults are gps-spec.md §8.1 and §8.5.
struct LstmPolicyParams {
  Eigen::Index hidden_size = 128;  ///< LSTM cells (§8.1), >= 1
  /// Observation dimension m: 3 (§2.3), 5 with the adaptive features (observation_dimension).
  Eigen::Index input_size = kObservationDim;
  AdamParameters adam;      ///< §8.5: lr 1e-3, betas 0.9 / 0.999, eps 1e-8 (torch's)
  LstmEngineParams engine;  ///< work decomposition of the forward and backward passes

  /// Throws std::invalid_argument naming the bad field.
  void check() const;
  /// The LSTM shape: input_size inputs, hidden_size cells, one layer, one output (§8.1).
  [[nodiscard]] LstmShape shape() const;
};

/// The frozen constants a policy is created with and saved with (gps-spec.md §3.2, §8.2).
struct PolicyConstants {
  ObservationNormalisation normalisation;  ///< beta_g, zeta_g
  double action_scale = 1.0;               ///< sigma_{a,g} > 0

  /// Throws std::invalid_argument unless the normalisation checks and sigma_a is finite, > 0.
  void check() const;
};

/// The LSTM policy pi of one group, with its Adam state.
template <class Scalar>
class LstmPolicy {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  /// Fresh policy of group `group` (§8.1): W ~ U(+-1/sqrt(H)) drawn from the stream
  /// (seed, "policy-init", {group}), biases 0 except the forget gate's +1, w_o = b_o = 0, so the
  /// untrained policy outputs exactly 0; Adam started with zero moments.
  LstmPolicy(const LstmPolicyParams& params, const PolicyConstants& constants, std::uint64_t seed,
             std::uint64_t group);

  /// The parameters it was created with.
  [[nodiscard]] const LstmPolicyParams& params() const { return params_; }
  /// The LSTM shape.
  [[nodiscard]] const LstmShape& shape() const { return weights_.shape(); }
  /// The frozen normalisation and action scale.
  [[nodiscard]] const PolicyConstants& constants() const { return constants_; }
  /// omega in double, in LstmParameters' (PyTorch) layout.
  [[nodiscard]] const LstmParameters<double>& weights() const { return weights_; }
  /// omega as the LSTM computes with it (a cast of weights()).
  [[nodiscard]] const LstmParameters<Scalar>& compute_weights() const { return compute_weights_; }
  /// Replaces omega (checkpoint loading, tests); throws std::invalid_argument on a wrong length.
  void set_weights(const Eigen::Ref<const Eigen::VectorXd>& values);

  /// Adam's moments and step count (for checkpoints).
  [[nodiscard]] AdamState optimizer_state() const { return adam_.state(); }
  /// Continues Adam from `state`; throws std::invalid_argument on a wrong dimension.
  void restore_optimizer_state(const AdamState& state) { adam_.restore(state); }
  /// One Adam step of omega along `gradient` (already clipped, §8.5); refreshes the compute copy.
  void apply_gradient(const Eigen::VectorXd& gradient);

  /// Normalised observation sequences (P x 3T raw -> P x 3T in Scalar), the LSTM's input.
  [[nodiscard]] Matrix normalised_inputs(
      const Eigen::Ref<const Eigen::MatrixXd>& observations) const {
    return constants_.normalisation.template apply<Scalar>(observations);
  }

  /// Teacher-forced scaled means mu~^pi_{j,t} (P x T) of recorded raw observation sequences
  /// (P x 3T, layout of observation_normalisation.hpp), all P sequences as one batch from zero
  /// memory (§6 item 2). One call per rollout record; calls on different records are independent.
  Eigen::MatrixXd teacher_forced_means(const Eigen::Ref<const Eigen::MatrixXd>& observations);

  /// Zero memories for `coordinates` coordinates: the start of a test-time run (§15 step 1).
  [[nodiscard]] LstmState<Scalar> initial_memory(Eigen::Index coordinates) const {
    return LstmState<Scalar>(shape(), coordinates);
  }
  /// One test-time step (§15 step 2) of N coordinates: raw observations o_{j,t} (N x 3) ->
  /// raw steps sigma_a (w_o^T h_{j,t} + b_o) (N); advances `memory`. No noise.
  void step(const Eigen::Ref<const Eigen::MatrixXd>& observations, LstmState<Scalar>& memory,
            Eigen::Ref<Eigen::VectorXd> raw_steps);

 private:
  LstmPolicyParams params_;
  PolicyConstants constants_;
  LstmParameters<double> weights_;
  LstmParameters<Scalar> compute_weights_;
  Adam adam_;
  LstmEngine<Scalar> engine_;  // teacher-forced passes and test-time steps
  Matrix step_input_, step_output_;
};

extern template class LstmPolicy<float>;
extern template class LstmPolicy<double>;

}  // namespace l2o
