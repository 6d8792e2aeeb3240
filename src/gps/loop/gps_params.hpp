#pragma once
// Every hyperparameter of GPS meta-training in one struct with the defaults of gps-spec.md §13
// (sections cited per field); the fits, the psi-step, BADMM and the policy keep their own
// parameter structs, gathered here so a run is configured in one place.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/features/feature_set.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/policy_linearisation.hpp"
#include "gps/loop/badmm_dual_update.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/lqg/step_size.hpp"
#include "gps/policy/lstm_policy.hpp"
#include "gps/policy/policy_training.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// Which controller psi_0 starts from: §11's grid search over momentum-like controllers, or a
/// hand-designed optimizer reproduced exactly on the `adaptive` features (docs/gps-design.md).
enum class InitialControllerKind { grid, adagrad, rmsprop };

/// "grid", "adagrad" or "rmsprop" (the config value).
std::string initial_controller_name(InitialControllerKind kind);
/// The inverse of initial_controller_name; throws std::invalid_argument on any other name.
InitialControllerKind parse_initial_controller(std::string_view name);

/// How the local model's dynamics respond to a coordinate's own step (own_step_response.hpp):
/// as fitted (§5), corrected to the cost model's curvature (candidate b), or through a privileged
/// state component, the cost-set gradient, whose dynamics respond with that curvature and in which
/// the cost is exact (candidate a, privileged_gradient.hpp; docs/gps-design.md).
enum class OwnStepResponse { fitted, matched, privileged };

/// "fitted", "matched" or "privileged" (the config value).
std::string own_step_response_name(OwnStepResponse response);
/// The inverse of own_step_response_name; throws std::invalid_argument on any other name.
OwnStepResponse parse_own_step_response(std::string_view name);

/// Who sets the KL step multipliers: §10 per group, or one multiplier from the realised objective
/// (global_step_control.hpp).
enum class StepControl { per_group, global };

/// "per_group" or "global" (the config value).
std::string step_control_name(StepControl control);
/// The inverse of step_control_name; throws std::invalid_argument on any other name.
StepControl parse_step_control(std::string_view name);

/// The initial controller: §11 item 1's grid search, or a fixed adaptive optimizer.
struct InitialControllerParams {
  InitialControllerKind kind = InitialControllerKind::grid;  ///< grid search or a fixed start
  /// adagrad/rmsprop: the learning rate of each coordinate group, in the Mlp's group order (one
  /// value: every group); unused by the grid.
  std::vector<double> group_learning_rates;
  /// alpha: step sizes of the grid.
  std::vector<double> learning_rates = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0};
  /// beta: momentum factors of the grid, each in [0, 1).
  std::vector<double> momentums = {0.0, 0.5, 0.8, 0.9};
  int pilot_rollouts = 3;         ///< N_pilot noise-free rollouts per candidate, >= 1
  int score_stride = 10;          ///< the score averages f_t at t = stride, 2 stride, ... <= T
  double divergence_factor = 10;  ///< discard a candidate once some f_t > factor * f_0, > 1
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Parameters of a GPS meta-training run (gps-spec.md §12, §13).
struct GpsParams {
  int horizon = 400;                ///< T (§1.1), >= 2
  int rollouts = 20;                ///< N rollouts per iteration (§3.3), >= 1
  Eigen::Index max_recorded = 256;  ///< C_max recorded coordinates per group (§3.3), >= 1
  /// §2 exactly, §18.2 risk 1's scale-free variant, or §2 plus the adaptive directions
  FeatureSet features = FeatureSet::paper;
  int inner_iterations = 4;     ///< R BADMM inner iterations (§12 step 8), >= 1
  int evaluation_rollouts = 4;  ///< N_eval deterministic pi rollouts (§12 step 10), >= 1
  /// Rollouts n = 0..K-1 of psi-hat repeated without exploration noise (same seeds, so same
  /// initial point and minibatches) to record psi's noise-free cost (issue 16 item 6), >= 0.
  int noise_free_rollouts = 0;
  std::int64_t cost_set_examples = 0;  ///< N_c of the cost set; 0 = full training set (§1.1)
  double exploration_std = 0.5;        ///< rho_init: psi-hat's initial std, scaled units (§11)
  double initial_eta = 1.0;            ///< eta_g at iteration 0 (§11 item 4), > 0
  double initial_nu = 0.01;            ///< nu_{g,t} at iteration 0 (§11 item 4), > 0
  InitialControllerParams initial_controller;  ///< §11 item 1
  DynamicsFitParams dynamics;                  ///< §5
  /// With the GMM prior: its training points include the previous iteration's subsample
  /// (issue 16 item 4, [GPS]'s sample reuse; docs/gps-design.md "GMM prior").
  bool reuse_previous_samples = false;
  /// fitted: §5's B_t; matched: B_t corrected so that w_{t+1}^T B_t = sigma_a h_t; privileged:
  /// the state gains the cost-set gradient (state_dim())
  OwnStepResponse own_step_response = OwnStepResponse::fitted;
  CostModelParams cost;  ///< §4
  /// §6; its policy_variance Sigma^pi must equal exploration_std^2 (§8.6).
  PolicyLinearisationParams linearisation;
  DgdParams dgd;                                      ///< §7.6 (kl_step = epsilon_0)
  StepSizeParams step_size;                           ///< §10
  StepControl step_control = StepControl::per_group;  ///< §10 per group, or global (issue 16)
  /// §9; its policy_variance Sigma^pi must equal exploration_std^2 (§8.6).
  BadmmDualParams duals;
  /// §8.1, §8.5 (architecture, Adam); the input size is observation_dimension(features)
  /// (policy_params), whatever policy.input_size holds.
  LstmPolicyParams policy;
  PolicyTrainingParams policy_training;  ///< §8.5 (max_steps caps I_pi)

  /// Throws std::invalid_argument naming the first bad field (also of the nested structs).
  void check() const;
  /// Dimension of psi's state: state_dimension(features), plus the privileged gradient component
  /// (index state_dimension(features)) when own_step_response is privileged.
  [[nodiscard]] int state_dim() const;
  /// Whether psi's state holds the privileged cost-set gradient (privileged_gradient.hpp).
  [[nodiscard]] bool privileged_gradient() const {
    return own_step_response == OwnStepResponse::privileged;
  }
};

/// params.policy with the input size of params.features' observations: the policies' parameters.
LstmPolicyParams policy_params(const GpsParams& params);

/// The cost set D_c of the run: cost_set_task(task, params.cost_set_examples, seed) (§1.1).
MlpTask gps_cost_set(const MlpTask& task, const GpsParams& params, std::uint64_t seed);

}  // namespace l2o
