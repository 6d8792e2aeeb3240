#pragma once
// The test-time procedure of the global policies (gps-spec.md §15), one run: every coordinate j
// of group g is moved by its group's LSTM, from zero memory, on the minibatch observations o_{j,t}
// (§2.3) normalised with the frozen (beta_g, zeta_g):
//   x^(t+1)_j = x^(t)_j + sigma_a,g (w_o^T h_{j,t} + b_o).
// With a relative output (relative_output.hpp) the LSTM reads tau_t as well and its output u is a
// log step factor on psi's moment direction instead of the step.
// No noise, no state features, no cost-set evaluations. The one implementation of the step, used
// by GPS's evaluation rollouts (policy_evaluation.hpp) and by the delivered optimizer
// (psd_optimizer.hpp), for any number of steps.
#include <Eigen/Core>
#include <optional>
#include <vector>

#include "gps/features/feature_history.hpp"
#include "gps/features/feature_set.hpp"
#include "gps/policy/lstm_policy.hpp"
#include "gps/policy/relative_output.hpp"
#include "nn/lstm_state.hpp"
#include "objective/mlp.hpp"

namespace l2o {

/// The state of one test-time run (§15): the feature history and every coordinate's memory.
template <class Scalar>
class PredictedStepDescent {
 public:
  /// A run at t = 0 (zero memories, empty history) on a parameter vector made of `groups`
  /// (contiguous, in order), group g moved by *policies[g] (borrowed: they must outlive the run;
  /// their workspaces are used, so one run per policy at a time) on the observations of
  /// `features`; with `relative` (one direction per group of `groups`) the policies' outputs are
  /// log step factors. Sized once here; steps() does not allocate apart from Eigen's GEMM
  /// packing. Throws std::invalid_argument unless there is one non-null policy per group, each
  /// reading policy_input_dimension inputs, and `relative` checks.
  PredictedStepDescent(const std::vector<ParameterGroup>& groups,
                       std::vector<LstmPolicy<Scalar>*> policies, FeatureSet features,
                       std::optional<RelativeOutput> relative = std::nullopt);

  /// Number of parameters d.
  [[nodiscard]] Eigen::Index dimension() const { return history_.coordinates(); }
  /// The groups it was created for.
  [[nodiscard]] const std::vector<ParameterGroup>& groups() const { return groups_; }
  /// The observations the policies read at the last step (d x policy_input_dimension, raw).
  [[nodiscard]] const Eigen::MatrixXd& observations() const { return observations_; }
  /// Back to t = 0: zero memories, empty history (a new run on the same groups).
  void reset();
  /// Appends the history, every memory and a relative output's moments (state_vector.hpp).
  void save(StateWriter& out) const;
  /// Continues the run save() saved (same groups and policies).
  void restore(StateReader& in);

  /// Step t: from the minibatch loss f-hat_t and gradient at the iterate x^(t) (size d), the
  /// steps x^(t+1) - x^(t) (size d; valid until the next call). Advances the history (which keeps
  /// x^(t-1), x^(t-2), f-hat_{t-1}, grad_{t-1}) and the memories. Throws std::invalid_argument on
  /// a size mismatch.
  const Eigen::VectorXd& steps(double minibatch_loss,
                               const Eigen::Ref<const Eigen::VectorXd>& minibatch_gradient,
                               const Eigen::Ref<const Eigen::VectorXd>& iterate);

 private:
  std::vector<ParameterGroup> groups_;
  std::vector<LstmPolicy<Scalar>*> policies_;
  FeatureHistory history_;
  std::optional<RelativeOutput> relative_;
  std::vector<LstmState<Scalar>> memories_;  ///< per group, one row per coordinate
  Eigen::MatrixXd observations_;             ///< d x m, o_{j,t} (§2.3) [, tau_t]
  Eigen::VectorXd steps_;                    ///< d, sigma_a,g (w_o^T h_{j,t} + b_o) or relative
  Eigen::VectorXd first_moment_, second_moment_;  ///< m, v of a relative output (else empty)
};

extern template class PredictedStepDescent<float>;
extern template class PredictedStepDescent<double>;

}  // namespace l2o
