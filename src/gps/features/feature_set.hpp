#pragma once
// Which gradient enters the GPS features (gps-spec.md §2, §18.2 risk 1). `paper` is §2 exactly.
// `scale_free` replaces the minibatch gradient, before any averaging, by
//   g / (sqrt(v-hat_t) + 1e-8),  v_t = 0.99 v_{t-1} + 0.01 g^2 (v_{-1} = 0),
//   v-hat_t = v_t / (1 - 0.99^(t+1))  (Adam's bias correction),
// per coordinate, so that psi, linear in the features, can express Adam/RMSprop-like
// per-coordinate steps; Phi and Psi are otherwise unchanged. A departure from the paper.
#include <string>
#include <string_view>

namespace l2o {

enum class FeatureSet { paper, scale_free };

/// Decay of the running mean of squared minibatch gradients of `scale_free`.
inline constexpr double kScaleFreeDecay = 0.99;
/// Added to sqrt(v-hat) in the `scale_free` denominator.
inline constexpr double kScaleFreeEpsilon = 1e-8;

/// "paper" or "scale_free" (the config value and the model file attribute).
std::string feature_set_name(FeatureSet features);

/// The inverse of feature_set_name; throws std::invalid_argument on any other name.
FeatureSet parse_feature_set(std::string_view name);

}  // namespace l2o
