#pragma once
// Which features GPS and the learned optimizer see (gps-spec.md §2, §18.2 risk 1; departures in
// docs/gps-design.md). `paper` is §2 exactly. `scale_free` replaces the minibatch gradient,
// before any averaging, by
//   g / (sqrt(v-hat_t) + 1e-8),  v_t = 0.99 v_{t-1} + 0.01 g^2 (v_{-1} = 0),
//   v-hat_t = v_t / (1 - 0.99^(t+1))  (Adam's bias correction),
// per coordinate; Phi and Psi keep their dimensions. `adaptive` keeps §2's features of the raw
// gradient and appends two per-coordinate directions to Phi (state indices 76, 77) and to Psi
// (observation indices 3, 4), both of the current minibatch gradient g_t:
//   AdaGrad  g_t / (sqrt(G_t) + 1e-10),  G_t = G_{t-1} + g_t^2      (G_{-1} = 0),
//   RMSprop  g_t / (sqrt(v_t) + 1e-8),   v_t = 0.99 v_{t-1} + 0.01 g_t^2 (v_{-1} = 0),
// i.e. the directions of l2o's Adagrad and Rmsprop with their default constants, so that a linear
// controller -lr times one of them is that optimizer exactly (initial_controller.hpp).
#include <string>
#include <string_view>

namespace l2o {

enum class FeatureSet { paper, scale_free, adaptive };

/// Decay of the running mean of squared minibatch gradients of `scale_free`.
inline constexpr double kScaleFreeDecay = 0.99;
/// Added to sqrt(v-hat) in the `scale_free` denominator.
inline constexpr double kScaleFreeEpsilon = 1e-8;
/// Added to sqrt(G_t) in `adaptive`'s AdaGrad direction (Adagrad's default epsilon).
inline constexpr double kAdagradEpsilon = 1e-10;
/// Decay of `adaptive`'s RMSprop mean square (Rmsprop's default alpha).
inline constexpr double kRmspropDecay = 0.99;
/// Added to sqrt(v_t) in `adaptive`'s RMSprop direction (Rmsprop's default epsilon).
inline constexpr double kRmspropEpsilon = 1e-8;

/// "paper", "scale_free" or "adaptive" (the config value and the model file attribute).
std::string feature_set_name(FeatureSet features);

/// The inverse of feature_set_name; throws std::invalid_argument on any other name.
FeatureSet parse_feature_set(std::string_view name);

/// Dimension of the per-coordinate state s_{j,t}: 76 (gps-spec.md §3.1), 78 with `adaptive`.
int state_dimension(FeatureSet features);

/// Dimension of the per-coordinate observation o_{j,t}: 3 (gps-spec.md §2.3), 5 with `adaptive`.
int observation_dimension(FeatureSet features);

}  // namespace l2o
