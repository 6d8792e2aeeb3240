#include "gps/loop/rollout_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "util/random_stream.hpp"

namespace l2o {

void RolloutRecorderParams::check() const {
  if (horizon < 1) throw std::invalid_argument("RolloutRecorderParams.horizon must be >= 1");
  if (max_recorded < 1) {
    throw std::invalid_argument("RolloutRecorderParams.max_recorded must be >= 1");
  }
}

std::uint64_t gps_rollout_seed(std::uint64_t seed, int iteration, int rollout) {
  return RandomStream(seed, "gps-rollout",
                      {static_cast<std::uint64_t>(iteration), static_cast<std::uint64_t>(rollout)})
      .next_u64();
}

std::vector<Eigen::Index> recorded_coordinates(Eigen::Index group_size, Eigen::Index max_recorded,
                                               std::uint64_t seed, const RolloutContext& context,
                                               int group) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(group_size));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  if (group_size > max_recorded) {
    RandomStream(seed, "gps-recorded-coordinates",
                 {static_cast<std::uint64_t>(context.iteration),
                  static_cast<std::uint64_t>(context.rollout), static_cast<std::uint64_t>(group)})
        .shuffle(order);
    order.resize(static_cast<std::size_t>(max_recorded));
    std::sort(order.begin(), order.end());
  }
  return order;
}

namespace {

Eigen::Index largest_group(const Mlp& mlp) {
  Eigen::Index largest = 0;
  for (const auto& group : mlp.groups()) largest = std::max(largest, group.size);
  return largest;
}

}  // namespace

RolloutRecorder::RolloutRecorder(const MlpTask& task, const MlpTask& cost_set,
                                 RolloutRecorderParams params)
    : task_(task),
      cost_set_(cost_set),
      params_(params),
      history_(task.dimension(), params.features),
      iterate_(task.dimension()),
      minibatch_gradient_(task.dimension()),
      true_gradient_(task.dimension()),
      probe_(params.gradient_curvature ? task.dimension() : 0),
      gradient_curvature_(params.gradient_curvature ? task.dimension() : 0),
      state_features_(task.dimension(), params.state_dim()),
      scaled_states_(largest_group(task.mlp()), params.state_dim()),
      actions_(largest_group(task.mlp())) {
  params_.check();
  if (cost_set.mlp().dimension() != task.dimension()) {
    throw std::invalid_argument("RolloutRecorder: the cost-set task must have the task's net");
  }
}

void RolloutRecorder::check_controllers(std::span<const LinearGaussianPolicy> controllers,
                                        std::span<const ScaledUnits> units) const {
  const std::size_t groups = task_.mlp().groups().size();
  if (controllers.size() != groups || units.size() != groups) {
    throw std::invalid_argument(
        "RolloutRecorder: need one controller and one ScaledUnits per group (" +
        std::to_string(groups) + ")");
  }
  for (std::size_t g = 0; g < groups; ++g) {
    const LinearGaussianPolicy& psi = controllers[g];
    const std::string name = "RolloutRecorder: controller of group " + std::to_string(g);
    const int state_dim = params_.state_dim();
    if (psi.state_dim() != state_dim || psi.horizon() < params_.horizon ||
        psi.gain.rows() != psi.horizon() || psi.variance.size() != psi.horizon()) {
      throw std::invalid_argument(name + " must have state dimension " + std::to_string(state_dim) +
                                  " and horizon >= " + std::to_string(params_.horizon));
    }
    if (!psi.gain.allFinite() || !psi.bias.allFinite() || !psi.variance.allFinite() ||
        (psi.variance.array() < 0.0).any()) {
      throw std::invalid_argument(name + " must be finite with variances G_t >= 0");
    }
    units[g].check(state_dim);
  }
}

void RolloutRecorder::measure_gradient_curvature() {
  const double norm = true_gradient_.norm();
  if (!(norm > 0.0)) {
    gradient_curvature_.setZero();
    return;
  }
  probe_ = iterate_ + (kCurvatureProbeStep / norm) * true_gradient_;
  cost_set_.true_objective(probe_, &gradient_curvature_);
  gradient_curvature_ = (gradient_curvature_ - true_gradient_) * (norm / kCurvatureProbeStep);
}

RolloutRecord RolloutRecorder::record(std::span<const LinearGaussianPolicy> controllers,
                                      std::span<const ScaledUnits> units, std::uint64_t seed,
                                      const RolloutContext& context) {
  check_controllers(controllers, units);
  if (context.iteration < 0 || context.rollout < 0) {
    throw std::invalid_argument("RolloutRecorder::record: iteration and rollout must be >= 0");
  }
  const std::vector<ParameterGroup>& groups = task_.mlp().groups();
  const int group_count = static_cast<int>(groups.size());
  const int horizon = params_.horizon;
  const std::uint64_t rollout_seed = gps_rollout_seed(seed, context.iteration, context.rollout);
  MinibatchSampler sampler = task_.sampler(rollout_seed);
  iterate_ = task_.mlp().initial_parameters(rollout_seed);
  history_.reset();

  RolloutRecord result;
  result.groups.resize(groups.size());
  result.minibatch_objective.reserve(static_cast<std::size_t>(horizon) + 1);
  result.true_objective.reserve(static_cast<std::size_t>(horizon) + 1);
  std::vector<std::vector<Eigen::Index>> recorded_rows(groups.size());  // in the full vector x
  for (int g = 0; g < group_count; ++g) {
    GroupRolloutRecord& group = result.groups[g];
    group.coordinates =
        recorded_coordinates(groups[g].size, params_.max_recorded, seed, context, g);
    const auto points = static_cast<Eigen::Index>(group.coordinates.size());
    group.states.assign(horizon, Eigen::MatrixXd(points, params_.state_dim()));
    group.observations.assign(horizon,
                              Eigen::MatrixXd(points, observation_dimension(params_.features)));
    group.actions.resize(points, horizon);
    group.true_gradients.resize(points, horizon + 1);
    if (params_.gradient_curvature) group.gradient_curvatures.resize(points, horizon);
    if (params_.group_objective_changes) group.objective_changes.resize(horizon);
    for (Eigen::Index j : group.coordinates) recorded_rows[g].push_back(groups[g].offset + j);
  }

  double before_last_group = 0.0;  // f before the last group's step (group_objective_changes)
  for (int t = 0; t <= horizon; ++t) {
    const bool acting = t < horizon;  // at t = T only f-hat_T, f_T and g_T are needed
    const double minibatch_loss = task_.batch_objective(
        iterate_, sampler.batch(t), acting ? minibatch_gradient_.data() : nullptr, workspace_);
    const double true_loss = cost_set_.true_objective(iterate_, &true_gradient_);
    for (int g = 0; g < group_count; ++g) {
      if (acting && !minibatch_gradient_.segment(groups[g].offset, groups[g].size).allFinite()) {
        throw RolloutError(context, g, t, "non-finite minibatch gradient");
      }
      if (!true_gradient_.segment(groups[g].offset, groups[g].size).allFinite()) {
        throw RolloutError(context, g, t, "non-finite cost-set gradient");
      }
    }
    if (!std::isfinite(minibatch_loss)) {
      throw RolloutError(context, -1, t, "non-finite minibatch objective");
    }
    if (!std::isfinite(true_loss))
      throw RolloutError(context, -1, t, "non-finite cost-set objective");
    result.minibatch_objective.push_back(minibatch_loss);
    result.true_objective.push_back(true_loss);
    if (params_.group_objective_changes && t > 0) {
      result.groups.back().objective_changes(t - 1) = true_loss - before_last_group;
    }
    for (int g = 0; g < group_count; ++g) {
      result.groups[g].true_gradients.col(t) = true_gradient_(recorded_rows[g]);
    }
    if (!acting) break;
    if (params_.gradient_curvature) {
      measure_gradient_curvature();
      for (int g = 0; g < group_count; ++g) {
        result.groups[g].gradient_curvatures.col(t) = gradient_curvature_(recorded_rows[g]);
      }
      if (!gradient_curvature_.allFinite()) {
        throw RolloutError(context, -1, t, "non-finite cost-set curvature along the gradient");
      }
    }

    history_.push(minibatch_loss, minibatch_gradient_, iterate_);
    const int feature_columns = state_dimension(params_.features);
    history_.state_features(state_features_.leftCols(feature_columns));
    if (params_.privileged_gradient) state_features_.col(feature_columns) = true_gradient_;
    double before = true_loss;  // f before group g's step (group_objective_changes)
    for (int g = 0; g < group_count; ++g) {
      const ParameterGroup& parameters = groups[g];
      GroupRolloutRecord& group = result.groups[g];
      const LinearGaussianPolicy& psi = controllers[g];
      const auto raw_states = state_features_.middleRows(parameters.offset, parameters.size);
      if (!raw_states.allFinite()) throw RolloutError(context, g, t, "non-finite state features");
      auto states = scaled_states_.topRows(parameters.size);
      states = raw_states;
      units[g].scale_states(states);  // s = D_g^-1 s_raw (§3.2)
      if (params_.record_scaled) {
        group.states[t] = states(group.coordinates, Eigen::all);
      } else {
        group.states[t] = raw_states(group.coordinates, Eigen::all);
      }
      history_.observation_features(recorded_rows[g], group.observations[t]);
      if (!group.observations[t].allFinite()) {
        throw RolloutError(context, g, t, "non-finite observation features");
      }

      // a_raw = sigma_a (K_t s + k_t + sqrt(G_t) eps), noise drawn per (group, step) in
      // coordinate order so it does not depend on how the work is split (§3.2, §12).
      auto actions = actions_.head(parameters.size);
      actions.noalias() = states * psi.gain.row(t).transpose();
      actions.array() += psi.bias(t);
      if (psi.variance(t) > 0.0) {
        RandomStream noise(seed, "gps-rollout-noise",
                           {static_cast<std::uint64_t>(context.iteration),
                            static_cast<std::uint64_t>(context.rollout),
                            static_cast<std::uint64_t>(g), static_cast<std::uint64_t>(t)});
        const double deviation = std::sqrt(psi.variance(t));
        for (Eigen::Index j = 0; j < parameters.size; ++j) actions(j) += deviation * noise.normal();
      }
      actions *= units[g].action_scale;
      if (!actions.allFinite()) {
        throw RolloutError(context, g, t, "non-finite action (controller output overflows)");
      }
      group.actions.col(t) = actions(group.coordinates);
      if (params_.record_scaled)
        units[g].scale_actions(group.actions.col(t));  // a = a_raw / sigma_a
      // Phi_t of every group is already computed, so x can move group by group.
      iterate_.segment(parameters.offset, parameters.size) += actions;
      if (params_.group_objective_changes) {
        if (g + 1 == group_count) {  // completed by f_{t+1} at the next step
          before_last_group = before;
        } else {
          const double after = cost_set_.true_objective(iterate_);
          if (!std::isfinite(after)) {
            throw RolloutError(context, g, t,
                               "non-finite cost-set objective after the group's step");
          }
          group.objective_changes(t) = after - before;
          before = after;
        }
      }
    }
  }
  return result;
}

}  // namespace l2o
