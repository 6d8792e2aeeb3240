#pragma once
// Everything GPS carries from one iteration to the next (gps-spec.md §12 "State carried between
// iterations"), as plain data so a checkpoint writes and reads it field by field. Random streams
// are keyed by (seed, iteration, rollout, purpose), so the seed and the iteration counter are the
// whole random-number state: resuming at `iteration` continues the run bitwise.
#include <cstdint>
#include <limits>
#include <vector>

#include "gps/features/scaled_units.hpp"
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/policy/lstm_policy.hpp"

namespace l2o {

/// The global policy type of GPS: omega in double, the LSTM computed in float (§1.2).
using GpsPolicy = LstmPolicy<float>;

/// The carried state of one coordinate group g.
struct GpsGroupState {
  LinearGaussianPolicy sampling_policy;           ///< psi-hat_g: samples the next iteration
  LinearGaussianPolicy previous_sampling_policy;  ///< psi_prev,g (empty before iteration 1)
  double eta = 1.0;                               ///< KL trust-region dual eta_g (§7.6)
  double step_multiplier = 1.0;                   ///< m_g (§10)
  BadmmDuals duals;                               ///< lambda_g, nu_g (§9)
  ScaledUnits units;                              ///< frozen D_g, sigma_a,g (§3.2)
  /// Frozen cost normaliser gamma_g (§4 item 4); NaN until iteration 0 fixes it.
  double cost_normaliser = std::numeric_limits<double>::quiet_NaN();
  // The previous iteration's local model (§10), empty before iteration 1.
  LinearGaussianDynamics previous_dynamics;     ///< D_prev
  QuadraticCost previous_cost;                  ///< C_prev
  LinearGaussianPolicy previous_linearisation;  ///< pi-bar_prev (from the last step 8b)
  /// The previous iteration's GMM subsample of this group's transition points, the same on
  /// every rank (gps.sample_reuse = "previous"; gmm_dynamics_priors.hpp), else empty.
  Eigen::MatrixXd reused_points;
};

/// The carried state of a GPS run.
struct GpsState {
  std::uint64_t seed = 0;      ///< run seed: keys every random stream
  int iteration = 0;           ///< i: the next iteration to run
  double initial_alpha = 0.0;  ///< the initial controller's step size (§11, for the record)
  double initial_beta = 0.0;   ///< the initial controller's momentum
  /// Mean sample cost of the last accepted psi-hat (NaN before iteration 1): the realised
  /// improvement of the next iteration is measured against it (issue 16 items 2 and 5).
  double previous_sample_cost = std::numeric_limits<double>::quiet_NaN();
  std::vector<GpsGroupState> groups;  ///< per coordinate group, in the Mlp's group order
  /// omega_g with Adam moments and frozen beta_g, zeta_g, sigma_a,g (§8); one per group,
  /// created in iteration 0 step 2 once the normalisation is known (empty before).
  std::vector<GpsPolicy> policies;
};

}  // namespace l2o
