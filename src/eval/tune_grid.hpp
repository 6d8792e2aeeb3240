#pragma once
// The hyperparameter grid of `l2o tune` (paper §4: hand-designed algorithms are tuned on the
// training objective) and the choice of the best setting per optimizer.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "io/config.hpp"

namespace l2o {

/// The values searched, per hyperparameter (config section [tune]).
struct TuneGrid {
  std::vector<double> learning_rates;  ///< sgd, momentum, adam, adagrad, rmsprop
  std::vector<double> momenta;         ///< momentum.momentum
  std::vector<double> adam_beta1;      ///< adam.beta1
  std::vector<double> rmsprop_alpha;   ///< rmsprop.alpha
  std::vector<double> initial_steps;   ///< cg and lbfgs initial_step (Armijo backtracking)

  /// The tune.* lists of `config`.
  static TuneGrid from_config(const Config& config);
};

/// One grid point: an optimizer and the hyperparameters set for it (the rest keep defaults).
struct TuneSetting {
  std::string optimizer;                          ///< a make_optimizer() name
  std::map<std::string, double> hyperparameters;  ///< the tuned ones only

  /// "learning_rate=0.001 beta1=0.9" (learning rate or step first).
  [[nodiscard]] std::string label() const;
};

/// The grid points of `optimizers`, optimizer by optimizer in the given order, the first
/// hyperparameter varying slowest. Throws std::invalid_argument naming an unknown optimizer.
std::vector<TuneSetting> tune_settings(const TuneGrid& grid,
                                       const std::vector<std::string>& optimizers);

/// The setting chosen for one optimizer.
struct TuneChoice {
  std::string optimizer;
  std::size_t setting = 0;  ///< index into the settings list
  double score = 0.0;       ///< its score (+inf if every setting diverged)
};

/// Per optimizer (in order of first appearance), the setting with the lowest score; ties and an
/// all-diverged optimizer go to the earliest setting. `scores[i]` belongs to `settings[i]`.
std::vector<TuneChoice> choose_settings(const std::vector<TuneSetting>& settings,
                                        const std::vector<double>& scores);

}  // namespace l2o
