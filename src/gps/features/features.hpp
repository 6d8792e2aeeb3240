#pragma once
// Layout of the 76-dim per-coordinate GPS state and the 3-dim observation, and the time-dependent
// active set of the state components (gps-spec.md §2.2, §2.3, §3.1). The `adaptive` feature set
// appends two always-active directions to both (feature_set.hpp, docs/gps-design.md).
#include <vector>

#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Objective features phi^f_0..24 (state indices 0..24, shared by all coordinates).
inline constexpr int kObjectiveFeatures = 25;
/// Gradient features phi^g_0..25 (state indices 25..50).
inline constexpr int kGradientFeatures = 26;
/// Iterate features phi^x_0..24 (state indices 51..75).
inline constexpr int kIterateFeatures = 25;
/// First state index of the gradient features.
inline constexpr int kGradientFeatureOffset = kObjectiveFeatures;
/// First state index of the iterate features.
inline constexpr int kIterateFeatureOffset = kObjectiveFeatures + kGradientFeatures;
/// Dimension of the paper's per-coordinate state s_{j,t} (gps-spec.md §3.1).
inline constexpr int kStateDim = kObjectiveFeatures + kGradientFeatures + kIterateFeatures;
/// Dimension of the paper's per-coordinate observation o_{j,t} (gps-spec.md §2.3).
inline constexpr int kObservationDim = 3;
/// Directions the `adaptive` feature set appends to the state and to the observation.
inline constexpr int kAdaptiveDirections = 2;
/// State index of `adaptive`'s AdaGrad direction (the RMSprop direction follows it).
inline constexpr int kAdagradComponent = kStateDim;
/// State index of `adaptive`'s RMSprop direction.
inline constexpr int kRmspropComponent = kStateDim + 1;
/// Observation index of `adaptive`'s AdaGrad direction (the RMSprop direction follows it).
inline constexpr int kAdagradObservation = kObservationDim;
/// Largest state dimension: §3.1's 76, the adaptive directions, and the privileged cost-set
/// gradient that GPS's local model may append (OwnStepResponse::privileged, gps_params.hpp).
inline constexpr int kMaxStateDim = kStateDim + kAdaptiveDirections + 1;
/// Block length of the feature lags (every feature family looks back in blocks of 5 steps).
inline constexpr int kFeatureBlock = 5;
/// Time from which every state component is active (gps-spec.md §2.2).
inline constexpr int kFullyActiveTime = 125;

/// Whether state component `component` (0..75; any component after them, the adaptive directions
/// and the privileged gradient, is active at every t) is defined at time step t (gps-spec.md §2.2).
bool is_active(int component, int t);

/// |A(t)| = 3 floor(t/5) + 1 for t < 125, else 76 (gps-spec.md §17 F2).
int active_count(int t);

/// alpha(t) = min(5 floor(t/5), 125): the last activation time <= t, so A(t') = A(t) on
/// [alpha(t), t] (gps-spec.md §2.2).
int last_activation_time(int t);

/// The sorted active indices A(t) of a state of dimension `state_dim` (76..79).
std::vector<int> active_set(int t, int state_dim = kStateDim);

/// The T x state_dim mask of active components for t = 0..T-1 (the LQG solver's ActiveMask).
ActiveMask active_mask(int horizon, int state_dim = kStateDim);

/// sign(f) max(|f|, 1e-12): the guarded denominator of the objective features (gps-spec.md §2.2).
double guarded_objective(double f);

}  // namespace l2o
