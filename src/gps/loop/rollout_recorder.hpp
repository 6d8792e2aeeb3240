#pragma once
// GPS rollouts on the base-learner task (gps-spec.md §3.3): the local controllers psi_g act on
// ALL coordinates of an MlpTask for T steps with minibatch gradients, and a seeded subset of
// min(n_g, C_max) coordinates per group is recorded for the fits (states, actions, observations,
// cost-set gradients), together with the rollout's f-hat_t and f_t. Every random number comes
// from streams keyed by (seed, iteration, rollout, purpose, ...), never by rank or thread, so a
// rollout is bitwise the same wherever and with however many threads it runs (§12, §14).
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "gps/features/feature_history.hpp"
#include "gps/features/scaled_units.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/loop/rollout_error.hpp"
#include "gps/lqg/linear_gaussian.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// Parameters of the rollouts (gps-spec.md §3.3, §13).
struct RolloutRecorderParams {
  int horizon = 400;                ///< T, >= 1
  Eigen::Index max_recorded = 256;  ///< C_max: recorded coordinates per group, >= 1
  /// Store states and actions in the scaled units of §3.2 (s = D^-1 s_raw, a = a_raw / sigma_a);
  /// false stores them raw (the pilot rollouts from which the scales are computed, §11 item 2).
  bool record_scaled = true;
  FeatureSet features = FeatureSet::paper;  ///< the gradient the features see (feature_set.hpp)
  /// Append the cost-set gradient g_t to the state as component state_dimension(features): the
  /// privileged state of OwnStepResponse::privileged (privileged_gradient.hpp); pi never sees it.
  bool privileged_gradient = false;
  /// Record H g_t of the recorded coordinates (GroupRolloutRecord::gradient_curvatures): one more
  /// cost-set gradient per step, for CurvatureEstimate::gradient (cost_model.hpp).
  bool gradient_curvature = false;
  /// Record each group's own change of the cost-set objective per step
  /// (GroupRolloutRecord::objective_changes): G - 1 more cost-set objectives per step, for
  /// CurvatureEstimate::group_objective (objective_curvature.hpp).
  bool group_objective_changes = false;
  /// State dimension of the recorded and controlled states.
  [[nodiscard]] int state_dim() const {
    return state_dimension(features) + (privileged_gradient ? 1 : 0);
  }
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// What one rollout records (gps-spec.md §3.3).
struct RolloutRecord {
  std::vector<GroupRolloutRecord> groups;   ///< per coordinate group, in the Mlp's group order
  std::vector<double> minibatch_objective;  ///< f-hat_t = f_{B_t}(x^(t)), t = 0..T
  std::vector<double> true_objective;       ///< f_t = f(x^(t)) on the cost set, t = 0..T
};

/// Seed of rollout `rollout` of GPS iteration `iteration`: x^(0) = initial_parameters(it) and the
/// minibatch sequence is the task's sampler(it).
std::uint64_t gps_rollout_seed(std::uint64_t seed, int iteration, int rollout);

/// Length of the step along the normalised cost-set gradient whose gradient change gives H g by a
/// forward difference: H g ~ (grad f(x + delta g/|g|) - grad f(x)) |g| / delta. Short enough that
/// almost no ReLU changes state (steps of 1e-4..1e-6 agree to 1e-6; 1e-3 crossed kinks and was
/// 8x off on a small net's first layer), long enough for double precision.
inline constexpr double kCurvatureProbeStep = 1e-5;

/// Runs and records rollouts of one MlpTask; workspaces are sized once for the task.
class RolloutRecorder {
 public:
  /// Recorder for `task`; f_t and g_t are the true objective of `cost_set` (the same net on the
  /// cost set D_c, objective/cost_set.hpp: the full training set or a fixed random subset,
  /// gps-spec.md §1.1). Both must outlive the recorder.
  RolloutRecorder(const MlpTask& task, const MlpTask& cost_set, RolloutRecorderParams params);

  /// Runs rollout context.rollout of iteration context.iteration: per step t = 0..T-1, f-hat_t
  /// and the minibatch gradient at x^(t) (minibatch t), f_t and g_t on the cost set, Phi_t of
  /// every coordinate (§2.2), and per group g the action
  ///   a_raw = sigma_a,g (K_t D_g^-1 s_raw + k_t + sqrt(G_t) eps),  eps ~ N(0, 1)   (§3.2),
  /// eps from stream (seed, "gps-rollout-noise", {iteration, rollout, g, t}) in coordinate
  /// order; x^(t+1) = x^(t) + a. f-hat_T, f_T and g_T are evaluated at x^(T). `controllers[g]`
  /// (horizon >= T, state dim params().state_dim(), G_t >= 0) acts in the units `units[g]`
  /// (identity units run a controller on raw data). The recorded subset of group g is drawn from
  /// stream (seed, "gps-recorded-coordinates", {iteration, rollout, g}). Throws RolloutError naming
  /// group, iteration, rollout and step when the objective, a gradient, a feature or an action is
  /// non-finite.
  RolloutRecord record(std::span<const LinearGaussianPolicy> controllers,
                       std::span<const ScaledUnits> units, std::uint64_t seed,
                       const RolloutContext& context);

  /// The parameters in use.
  [[nodiscard]] const RolloutRecorderParams& params() const { return params_; }

 private:
  void check_controllers(std::span<const LinearGaussianPolicy> controllers,
                         std::span<const ScaledUnits> units) const;
  /// gradient_curvature_ = H g at iterate_ from true_gradient_ (forward difference).
  void measure_gradient_curvature();

  const MlpTask& task_;
  const MlpTask& cost_set_;
  RolloutRecorderParams params_;
  FeatureHistory history_;
  MlpWorkspace workspace_;
  Eigen::VectorXd iterate_;             ///< x^(t), d
  Eigen::VectorXd minibatch_gradient_;  ///< d
  Eigen::VectorXd true_gradient_;       ///< d
  Eigen::VectorXd probe_;               ///< x^(t) + delta g/|g| (gradient_curvature only), d
  Eigen::VectorXd gradient_curvature_;  ///< H g_t (gradient_curvature only), d
  Eigen::MatrixXd state_features_;      ///< Phi_t of every coordinate, d x n
  Eigen::MatrixXd scaled_states_;       ///< D_g^-1 Phi_t of one group, n_g x n (largest group)
  Eigen::VectorXd actions_;             ///< raw actions of one group, n_g (largest group)
  Eigen::MatrixXd observations_;        ///< Psi_t of one group's recorded coordinates, P x 3
};

/// Draws R_{n,g}: min(group_size, max_recorded) distinct sorted indices in [0, group_size) from
/// stream (seed, "gps-recorded-coordinates", {iteration, rollout, group}).
std::vector<Eigen::Index> recorded_coordinates(Eigen::Index group_size, Eigen::Index max_recorded,
                                               std::uint64_t seed, const RolloutContext& context,
                                               int group);

}  // namespace l2o
