#include "eval/tune_grid.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace l2o {
namespace {

using Axis = std::pair<std::string, const std::vector<double>*>;

// The tuned hyperparameters of each optimizer: step length first, then its decay parameter.
std::vector<Axis> axes_of(const std::string& optimizer, const TuneGrid& grid) {
  if (optimizer == "sgd" || optimizer == "adagrad")
    return {{"learning_rate", &grid.learning_rates}};
  if (optimizer == "momentum")
    return {{"learning_rate", &grid.learning_rates}, {"momentum", &grid.momenta}};
  if (optimizer == "adam")
    return {{"learning_rate", &grid.learning_rates}, {"beta1", &grid.adam_beta1}};
  if (optimizer == "rmsprop")
    return {{"learning_rate", &grid.learning_rates}, {"alpha", &grid.rmsprop_alpha}};
  if (optimizer == "cg" || optimizer == "lbfgs") return {{"initial_step", &grid.initial_steps}};
  throw std::invalid_argument("tune: unknown optimizer \"" + optimizer + "\"");
}

}  // namespace

TuneGrid TuneGrid::from_config(const Config& config) {
  return {config.reals("tune.learning_rates"), config.reals("tune.momenta"),
          config.reals("tune.adam_beta1"), config.reals("tune.rmsprop_alpha"),
          config.reals("tune.initial_steps")};
}

std::string TuneSetting::label() const {
  std::string text;
  for (const auto& axis : {"learning_rate", "initial_step", "momentum", "beta1", "alpha"}) {
    const auto found = hyperparameters.find(axis);
    if (found == hyperparameters.end()) continue;
    char value[32];
    std::snprintf(value, sizeof value, "%.6g", found->second);
    text += (text.empty() ? "" : " ") + found->first + "=" + value;
  }
  return text;
}

std::vector<TuneSetting> tune_settings(const TuneGrid& grid,
                                       const std::vector<std::string>& optimizers) {
  std::vector<TuneSetting> settings;
  for (const auto& optimizer : optimizers) {
    const auto axes = axes_of(optimizer, grid);
    // Odometer over the axes, the last one varying fastest.
    std::vector<std::size_t> index(axes.size(), 0);
    bool empty = false;
    for (const auto& axis : axes) empty = empty || axis.second->empty();
    while (!empty) {
      TuneSetting setting{optimizer, {}};
      for (std::size_t a = 0; a < axes.size(); ++a)
        setting.hyperparameters[axes[a].first] = (*axes[a].second)[index[a]];
      settings.push_back(std::move(setting));
      std::size_t a = axes.size();
      while (a > 0 && ++index[a - 1] == axes[a - 1].second->size()) index[--a] = 0;
      if (a == 0) break;
    }
  }
  return settings;
}

std::vector<double> refinement_steps(double best, std::int64_t points_per_decade) {
  if (points_per_decade < 3)
    throw std::invalid_argument("refinement_steps: fewer than 3 points per decade add none");
  if (!(best > 0.0 && std::isfinite(best)))
    throw std::invalid_argument("refinement_steps: the best step length must be positive");
  // |k| < n/2, i.e. 2|k| < n: strictly inside the half decade on either side.
  const std::int64_t reach = (points_per_decade - 1) / 2;
  std::vector<double> steps;
  for (std::int64_t k = -reach; k <= reach; ++k)
    if (k != 0)
      steps.push_back(
          best * std::pow(10.0, static_cast<double>(k) / static_cast<double>(points_per_decade)));
  return steps;
}

std::vector<TuneSetting> refinement_settings(const TuneGrid& grid, const TuneSetting& best,
                                             std::int64_t points_per_decade) {
  const auto step = best.hyperparameters.count("learning_rate") != 0
                        ? best.hyperparameters.at("learning_rate")
                        : best.hyperparameters.at("initial_step");
  TuneGrid refined = grid;
  refined.learning_rates = refined.initial_steps = refinement_steps(step, points_per_decade);
  return tune_settings(refined, {best.optimizer});
}

std::vector<double> setting_scores(const UnitRecords& records, std::size_t settings,
                                   std::int64_t seeds) {
  std::vector<double> scores(settings, 0.0);
  for (std::size_t s = 0; s < settings; ++s)
    for (std::int64_t k = 0; k < seeds; ++k)
      scores[s] += curve_score(records.at(static_cast<std::int64_t>(s) * seeds + k)) /
                   static_cast<double>(seeds);
  return scores;
}

std::vector<TuneChoice> choose_settings(const std::vector<TuneSetting>& settings,
                                        const std::vector<double>& scores) {
  if (scores.size() != settings.size())
    throw std::invalid_argument("choose_settings: one score per setting expected");
  std::vector<TuneChoice> choices;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    TuneChoice* choice = nullptr;
    for (auto& c : choices)
      if (c.optimizer == settings[i].optimizer) choice = &c;
    if (choice == nullptr)
      choices.push_back({settings[i].optimizer, i, scores[i]});
    else if (scores[i] < choice->score)
      *choice = {settings[i].optimizer, i, scores[i]};
  }
  return choices;
}

}  // namespace l2o
