#pragma once
// The hyperparameter grid of `l2o tune` (paper §4: hand-designed algorithms are tuned on the
// training objective), its refinement around a coarse best (tune.refine, issue 19 item 5) and the
// choice of the best setting per optimizer.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/sweep.hpp"
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

/// The refinement step lengths around a coarse best step length `best` (tune.refine): every
/// best * 10^(k/n), k != 0, strictly within half a decade of it (|k| < n/2), in increasing order;
/// n = `points_per_decade` >= 3. With the half-decade coarse grid these points, the best and its
/// two coarse neighbours (k = -n/2, n/2 for even n) make a 1/n-decade grid over the neighbours'
/// span: for n = 8, best * 10^(k/8), k = -3..-1, 1..3. Throws std::invalid_argument for n < 3 or
/// a best that is not positive and finite.
std::vector<double> refinement_steps(double best, std::int64_t points_per_decade);

/// The refinement settings of the optimizer of `best` (its coarse best setting): its step length
/// (learning_rate or initial_step) at refinement_steps(step of best, points_per_decade), crossed
/// with `grid`'s other axis of that optimizer as tune_settings() orders them.
std::vector<TuneSetting> refinement_settings(const TuneGrid& grid, const TuneSetting& best,
                                             std::int64_t points_per_decade);

/// Per setting, the mean curve_score over its `seeds` runs (unit s * seeds + k: setting s, seed
/// index k; every such unit must be in `records`); any diverged run makes the mean +inf.
std::vector<double> setting_scores(const UnitRecords& records, std::size_t settings,
                                   std::int64_t seeds);

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
