#include "gps/fit/objective_curvature.hpp"

#include <algorithm>
#include <stdexcept>

namespace l2o {

namespace {

// Adds a group's A_t and S_t to `terms` (T = terms' length).
void add_group_terms(const GroupRolloutRecord& record, double action_scale, Eigen::Index group_size,
                     ObjectiveCurvatureTerms& terms) {
  const Eigen::Index horizon = terms.first_order.size();
  const Eigen::Index points = record.actions.rows();
  if (record.actions.cols() != horizon || record.true_gradients.cols() != horizon + 1 ||
      record.true_gradients.rows() != points || points == 0) {
    throw std::invalid_argument(
        "objective_curvature_terms: a group's actions must be P x T and its gradients "
        "P x (T+1), P > 0");
  }
  // Recorded coordinates are a uniform subset: n_g / P_g scales their sums to the group.
  const double weight = static_cast<double>(group_size) / static_cast<double>(points);
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const auto steps = action_scale * record.actions.col(t);
    terms.first_order(t) += weight * steps.dot(record.true_gradients.col(t));
    terms.squared_step(t) += weight * steps.squaredNorm();
  }
}

}  // namespace

ObjectiveCurvatureTerms objective_curvature_terms(std::span<const GroupRolloutRecord> groups,
                                                  std::span<const double> action_scales,
                                                  std::span<const Eigen::Index> group_sizes,
                                                  std::span<const double> true_objective) {
  if (groups.empty() || action_scales.size() != groups.size() ||
      group_sizes.size() != groups.size() || true_objective.size() < 2) {
    throw std::invalid_argument(
        "objective_curvature_terms: need one action scale and size per group and f_0..f_T");
  }
  const auto horizon = static_cast<Eigen::Index>(true_objective.size()) - 1;
  ObjectiveCurvatureTerms terms{Eigen::VectorXd(horizon), Eigen::VectorXd::Zero(horizon),
                                Eigen::VectorXd::Zero(horizon)};
  for (Eigen::Index t = 0; t < horizon; ++t) {
    terms.objective_change(t) = true_objective[t + 1] - true_objective[t];
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    add_group_terms(groups[g], action_scales[g], group_sizes[g], terms);
  }
  return terms;
}

ObjectiveCurvatureTerms group_objective_curvature_terms(const GroupRolloutRecord& group,
                                                        double action_scale,
                                                        Eigen::Index group_size) {
  const Eigen::Index horizon = group.objective_changes.size();
  if (horizon < 1) {
    throw std::invalid_argument(
        "group_objective_curvature_terms: the record has no objective changes");
  }
  ObjectiveCurvatureTerms terms{group.objective_changes, Eigen::VectorXd::Zero(horizon),
                                Eigen::VectorXd::Zero(horizon)};
  add_group_terms(group, action_scale, group_size, terms);
  return terms;
}

Eigen::VectorXd objective_curvature(const std::vector<ObjectiveCurvatureTerms>& rollouts,
                                    int window) {
  if (rollouts.empty() || window < 0) {
    throw std::invalid_argument("objective_curvature: need rollouts and a window >= 0");
  }
  const Eigen::Index horizon = rollouts.front().objective_change.size();
  Eigen::VectorXd residual = Eigen::VectorXd::Zero(horizon);  // sum (Delta f - A)
  Eigen::VectorXd squared = Eigen::VectorXd::Zero(horizon);   // sum S
  for (const ObjectiveCurvatureTerms& terms : rollouts) {
    if (terms.objective_change.size() != horizon) {
      throw std::invalid_argument("objective_curvature: rollouts of different horizons");
    }
    residual += terms.objective_change - terms.first_order;
    squared += terms.squared_step;
  }
  Eigen::VectorXd curvature(horizon);
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const Eigen::Index first = std::max<Eigen::Index>(t - window, 0);
    const Eigen::Index count = std::min<Eigen::Index>(t + window, horizon - 1) - first + 1;
    const double moved = squared.segment(first, count).sum();
    curvature(t) =
        moved > 0.0 ? std::max(0.0, 2.0 * residual.segment(first, count).sum() / moved) : 0.0;
  }
  return curvature;
}

}  // namespace l2o
