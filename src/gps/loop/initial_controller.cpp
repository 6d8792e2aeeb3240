#include "gps/loop/initial_controller.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_gather.hpp"
#include "gps/features/features.hpp"
#include "util/random_stream.hpp"

namespace l2o {

double momentum_coefficient(double beta, int block) {
  if (beta == 0.0) return block == 0 ? 1.0 : 0.0;
  return std::pow(beta, kFeatureBlock * block) * (1.0 - std::pow(beta, kFeatureBlock)) /
         (1.0 - beta);
}

LinearGaussianPolicy raw_momentum_controller(double alpha, double beta, int horizon,
                                             int state_dim) {
  LinearGaussianPolicy controller(state_dim, horizon);
  for (int i = 0; i < kGradientFeatures; ++i) {
    controller.gain.col(kGradientFeatureOffset + i)
        .setConstant(-alpha * momentum_coefficient(beta, i));
  }
  controller.variance.setZero();
  return controller;
}

LinearGaussianPolicy raw_adaptive_controller(InitialControllerKind kind, double learning_rate,
                                             int horizon, int state_dim) {
  if (kind == InitialControllerKind::grid) {
    throw std::invalid_argument("raw_adaptive_controller: the grid start has no fixed controller");
  }
  if (state_dim <= kRmspropComponent) {
    throw std::invalid_argument("raw_adaptive_controller: the state has no adaptive directions");
  }
  LinearGaussianPolicy controller(state_dim, horizon);
  const int direction =
      kind == InitialControllerKind::adagrad ? kAdagradComponent : kRmspropComponent;
  controller.gain.col(direction).setConstant(-learning_rate);
  controller.variance.setZero();
  return controller;
}

LinearGaussianPolicy scaled_controller(const LinearGaussianPolicy& raw, const ScaledUnits& units,
                                       double exploration_std) {
  LinearGaussianPolicy controller(raw.state_dim(), raw.horizon());
  for (int t = 0; t < raw.horizon(); ++t) {
    for (int i = 0; i < raw.state_dim(); ++i) {
      if (!is_active(i, t)) continue;
      controller.gain(t, i) = raw.gain(t, i) * units.state_scale(i) / units.action_scale;
    }
  }
  controller.variance.setConstant(exploration_std * exploration_std);
  return controller;
}

std::uint64_t gps_pilot_seed(std::uint64_t seed) {
  return RandomStream(seed, "gps-pilot").next_u64();
}

double pilot_score(const std::vector<double>& true_objective,
                   const InitialControllerParams& params) {
  const double initial = true_objective.front();
  for (double f : true_objective) {
    if (!std::isfinite(f) || f > params.divergence_factor * initial) {
      return std::numeric_limits<double>::infinity();
    }
  }
  const int horizon = static_cast<int>(true_objective.size()) - 1;
  double sum = 0.0;
  int terms = 0;
  for (int t = params.score_stride; t <= horizon; t += params.score_stride) {
    sum += true_objective[static_cast<std::size_t>(t)];
    ++terms;
  }
  if (terms == 0) throw std::invalid_argument("pilot_score: score_stride exceeds the horizon");
  return sum / terms;
}

namespace {

// Mean pilot score of one candidate's controllers over the pilot rollouts; +inf once a rollout
// becomes non-finite or is discarded by pilot_score (§11 item 1: discarded, not an error).
double candidate_score(RolloutRecorder& recorder,
                       const std::vector<LinearGaussianPolicy>& controllers,
                       const std::vector<ScaledUnits>& raw_units, std::uint64_t pilot_seed,
                       const InitialControllerParams& grid) {
  constexpr double kDiscarded = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  for (int n = 0; n < grid.pilot_rollouts; ++n) {
    try {
      const RolloutRecord record = recorder.record(controllers, raw_units, pilot_seed, {0, n});
      const double score = pilot_score(record.true_objective, grid);
      if (!std::isfinite(score)) return kDiscarded;
      sum += score;
    } catch (const RolloutError&) {
      return kDiscarded;
    }
  }
  return sum / grid.pilot_rollouts;
}

// §11 item 1: the (alpha, beta) grid scored by pilot rollouts; fills alpha, beta and candidates
// of `result` and returns the winner's raw controller for every group.
std::vector<LinearGaussianPolicy> grid_search(RolloutRecorder& recorder, std::size_t groups,
                                              const std::vector<ScaledUnits>& raw_units,
                                              const GpsParams& params, std::uint64_t pilot_seed,
                                              InitialController& result) {
  const InitialControllerParams& grid = params.initial_controller;
  const int state_dim = params.state_dim();
  // Candidate c of the alpha-major grid is scored on rank c mod Z (§14: pilots are rollouts);
  // the scores reach every rank in grid order, so the choice is the same for any rank count.
  std::vector<PilotCandidate> grid_candidates;
  for (double alpha : grid.learning_rates) {
    for (double beta : grid.momentums) grid_candidates.push_back({.alpha = alpha, .beta = beta});
  }
  const auto count = static_cast<std::int64_t>(grid_candidates.size());
  std::vector<double> owned_scores;
  for (const std::int64_t c : owned_units(count, world_rank(), world_size())) {
    const PilotCandidate& candidate = grid_candidates[static_cast<std::size_t>(c)];
    const std::vector<LinearGaussianPolicy> controllers(
        groups,
        raw_momentum_controller(candidate.alpha, candidate.beta, params.horizon, state_dim));
    owned_scores.push_back(candidate_score(recorder, controllers, raw_units, pilot_seed, grid));
  }
  const std::vector<double> scores = allgather_unit_values(owned_scores, count);

  double best_score = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < grid_candidates.size(); ++c) {
    PilotCandidate candidate = grid_candidates[c];
    candidate.score = scores[c];
    candidate.discarded = !std::isfinite(candidate.score);
    if (candidate.score < best_score) {
      best_score = candidate.score;
      result.alpha = candidate.alpha;
      result.beta = candidate.beta;
    }
    result.candidates.push_back(candidate);
  }
  if (!std::isfinite(best_score)) {
    throw std::runtime_error(
        "GPS initial controller: every (alpha, beta) candidate diverged; widen "
        "initial_controller.learning_rates towards smaller steps");
  }
  return std::vector<LinearGaussianPolicy>(
      groups, raw_momentum_controller(result.alpha, result.beta, params.horizon, state_dim));
}

// The fixed AdaGrad or RMSprop start: group g's learning rate is group_learning_rates[g], or the
// single value for every group.
std::vector<LinearGaussianPolicy> adaptive_start(std::size_t groups, const GpsParams& params,
                                                 InitialController& result) {
  const InitialControllerParams& start = params.initial_controller;
  const std::vector<double>& rates = start.group_learning_rates;
  if (rates.size() != 1 && rates.size() != groups) {
    throw std::invalid_argument("InitialControllerParams.group_learning_rates must hold 1 or " +
                                std::to_string(groups) + " values (one per coordinate group)");
  }
  std::vector<LinearGaussianPolicy> controllers;
  for (std::size_t g = 0; g < groups; ++g) {
    const double rate = rates[rates.size() == 1 ? 0 : g];
    controllers.push_back(
        raw_adaptive_controller(start.kind, rate, params.horizon, params.state_dim()));
  }
  result.alpha = rates.front();
  result.beta = 0.0;
  return controllers;
}

}  // namespace

InitialController choose_initial_controller(const MlpTask& task, const MlpTask& cost_set,
                                            const GpsParams& params, std::uint64_t seed) {
  params.check();
  const InitialControllerParams& grid = params.initial_controller;
  if (grid.score_stride > params.horizon) {
    throw std::invalid_argument(
        "InitialControllerParams.score_stride must be <= GpsParams.horizon");
  }
  // Pilots record raw data: their statistics define the scaled units (§3.2, §11 item 2).
  RolloutRecorder recorder(task, cost_set,
                           {.horizon = params.horizon,
                            .max_recorded = params.max_recorded,
                            .record_scaled = false,
                            .features = params.features,
                            .privileged_gradient = params.privileged_gradient()});
  const std::size_t groups = task.mlp().groups().size();
  const int state_dim = params.state_dim();
  const std::vector<ScaledUnits> raw_units(groups, identity_units(state_dim));
  const std::uint64_t pilot_seed = gps_pilot_seed(seed);

  InitialController result;
  const std::vector<LinearGaussianPolicy> winner =
      grid.kind == InitialControllerKind::grid
          ? grid_search(recorder, groups, raw_units, params, pilot_seed, result)
          : adaptive_start(groups, params, result);

  // The winner's pilots again (deterministic: the same seeds give bitwise the same data), so no
  // candidate's data have to be kept during the search.
  std::vector<TransitionStatistics> statistics(groups,
                                               TransitionStatistics(params.horizon, state_dim));
  for (int n = 0; n < grid.pilot_rollouts; ++n) {
    const RolloutRecord record = recorder.record(winner, raw_units, pilot_seed, {0, n});
    for (std::size_t g = 0; g < groups; ++g) statistics[g].add_rollout(record.groups[g]);
  }
  for (std::size_t g = 0; g < groups; ++g) {
    result.units.push_back(compute_scaled_units(statistics[g]));
    result.policies.push_back(
        scaled_controller(winner[g], result.units.back(), params.exploration_std));
  }
  return result;
}

}  // namespace l2o
