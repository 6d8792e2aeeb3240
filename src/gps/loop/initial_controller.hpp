#pragma once
// The initial controller of GPS (gps-spec.md §11 items 1-3, after [P16] init_lto_controller): a
// momentum-like linear controller on the gradient features,
//   a_raw_{j,t} = -alpha sum_{i=0..25} c_i(beta) phi^g_i(t)_j,  c_i(beta) = beta^{5i} (1 - beta^5)
//   / (1 - beta),
// chosen by grid search over (alpha, beta) with noise-free pilot rollouts; the winner's raw pilot
// data define the frozen scaled units D_g, sigma_a,g (§3.2), and psi-hat at iteration 0 is the
// winner in those units with exploration variance rho_init^2.
// With the `adaptive` features psi_0 may instead be a hand-designed optimizer exactly (a departure,
// docs/gps-design.md): a_raw = -lr_g times the AdaGrad or RMSprop direction of the state, per-group
// learning rates lr_g, no search; its noise-free pilots define the scaled units as above.
#include <cstdint>
#include <vector>

#include "gps/features/scaled_units.hpp"
#include "gps/loop/gps_params.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// c_i(beta) = beta^{5i} (1 - beta^5) / (1 - beta): block i of the gradient features stands for
/// the 5 lags 5i..5i+4 of a momentum sum (c_0 = 1 and c_{i>0} = 0 for beta = 0).
double momentum_coefficient(double beta, int block);

/// The momentum controller in raw units for `horizon` steps on a `state_dim`-dim state: K_t has
/// -alpha c_i(beta) at state index 25 + i for every i (inactive features are zero, so they
/// contribute nothing), k_t = 0, G_t = 0 (noise-free).
LinearGaussianPolicy raw_momentum_controller(double alpha, double beta, int horizon, int state_dim);

/// AdaGrad (kind adagrad) or RMSprop (kind rmsprop) with learning rate `learning_rate` in raw
/// units on the `adaptive` state (78-dim, 79 with the privileged gradient, `state_dim`):
/// K_t = -learning_rate at the direction's index 76 or 77, all other entries 0, k_t = 0, G_t = 0.
/// Throws std::invalid_argument for kind grid or a state without the adaptive directions.
LinearGaussianPolicy raw_adaptive_controller(InitialControllerKind kind, double learning_rate,
                                             int horizon, int state_dim);

/// psi-hat_g at iteration 0 in the scaled units `units` (§11 item 3) from its raw controller:
/// K_t(i) = K_raw,t(i) sigma_{g,i} / sigma_a,g for i in A(t), all other entries 0; k_t = 0;
/// G_t = exploration_std^2. Executed on raw data with G = 0 it takes the raw controller's actions.
LinearGaussianPolicy scaled_controller(const LinearGaussianPolicy& raw, const ScaledUnits& units,
                                       double exploration_std);

/// One grid point and its pilot score.
struct PilotCandidate {
  double alpha = 0.0;  ///< step size
  double beta = 0.0;   ///< momentum
  /// Mean over pilot rollouts of the mean of f_t at t = stride, 2 stride, ... <= T; +inf for a
  /// discarded candidate.
  double score = 0.0;
  bool discarded = false;  ///< a pilot rollout became non-finite or some f_t > factor * f_0
};

/// Seed of the pilot rollouts (the same for every candidate): stream (seed, "gps-pilot").
std::uint64_t gps_pilot_seed(std::uint64_t seed);

/// Score of one pilot rollout from its f_0..f_T: mean of f_t over t = stride, 2 stride, ... <= T;
/// +inf if some f_t (t = 0..T) exceeds divergence_factor * f_0 (§11 item 1).
double pilot_score(const std::vector<double>& true_objective,
                   const InitialControllerParams& params);

/// What the initialisation hands to GPS iteration 0.
struct InitialController {
  double alpha = 0.0;  ///< the winner's step size (adagrad/rmsprop: the first group's rate)
  double beta = 0.0;   ///< the winner's momentum (adagrad/rmsprop: 0)
  std::vector<PilotCandidate> candidates;      ///< the grid in (alpha-major) order, with scores
                                               ///< (empty for adagrad/rmsprop)
  std::vector<ScaledUnits> units;              ///< D_g, sigma_a,g per group (§3.2)
  std::vector<LinearGaussianPolicy> policies;  ///< psi-hat_g at iteration 0 (scaled)
};

/// Runs the grid search of §11 item 1 on `task` (pilot rollouts of params.horizon steps with
/// params.max_recorded recorded coordinates, seeds gps_pilot_seed(seed), contexts {0, n}), then
/// items 2-3. Candidates are scored in grid order; ties keep the first. Collective under MPI:
/// candidate c is scored on rank c mod Z and the scores are gathered in grid order, so every
/// rank gets the same result for any rank count. Throws std::runtime_error if every candidate
/// is discarded. With params.initial_controller.kind adagrad or rmsprop there is no search: the
/// raw controllers are raw_adaptive_controller with each group's learning rate, and items 2-3
/// follow from their pilot rollouts.
InitialController choose_initial_controller(const MlpTask& task, const MlpTask& cost_set,
                                            const GpsParams& params, std::uint64_t seed);

}  // namespace l2o
