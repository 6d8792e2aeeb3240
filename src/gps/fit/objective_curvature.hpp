#pragma once
// The curvature of the cost model taken from the realised objective (gps.curvature =
// "objective", docs/gps-design.md "Curvature from the objective"). §4 charges a step with
// a_raw g + h_t a_raw^2 / 2 per coordinate, h_t the secant along the sampled move; the trapezoid
// rule behind it is exact for a quadratic objective only. On the training task (ReLU net, cross
// entropy) the per-step trapezoid over-states the realised decrease by 1.8x under AdaGrad with
// exploration noise and 2.5x under large gradient steps, so a cost model built on it predicts
// improvement the objective does not deliver. Here h_t is the one curvature with which the
// quadratic model reproduces the realised change of the objective over the sampled moves:
//   h_t = max(0, 2 sum (Delta f_t' - A_t') / sum S_t'),  sums over rollouts and t' in W^h_t,
// with A_t = sum over groups of (n_g / P_g) sum_{recorded j} a_raw g_t (the first-order term,
// estimated from the recorded coordinates) and S_t the same sum of a_raw^2. One h_t serves every
// group: the objective's change cannot be split among them.
// gps.curvature = "group_objective" splits it by measuring it: the recorder moves the groups one
// after the other and evaluates f after each (GroupRolloutRecord::objective_changes, G - 1 more
// cost-set objectives per step), and each group gets its own h_{g,t} from its own change and its
// own A and S. The groups' changes add up to f_{t+1} - f_t; a group's change includes its
// interaction with the groups that moved before it.
#include <Eigen/Core>
#include <span>
#include <vector>

#include "gps/fit/sufficient_statistics.hpp"

namespace l2o {

/// One rollout's per-step terms (T entries each).
struct ObjectiveCurvatureTerms {
  Eigen::VectorXd objective_change;  ///< Delta f_t = f_{t+1} - f_t
  Eigen::VectorXd first_order;       ///< A_t
  Eigen::VectorXd squared_step;      ///< S_t
};

/// The terms of one rollout from its groups' records (scaled actions, raw true gradients), the
/// groups' action scales sigma_a,g and sizes n_g, and its cost-set objective f_0..f_T. Throws
/// std::invalid_argument on mismatched sizes.
ObjectiveCurvatureTerms objective_curvature_terms(std::span<const GroupRolloutRecord> groups,
                                                  std::span<const double> action_scales,
                                                  std::span<const Eigen::Index> group_sizes,
                                                  std::span<const double> true_objective);

/// One group's terms for gps.curvature = "group_objective": Delta f_t = the group's recorded
/// objective_changes, A_t and S_t of its own recorded coordinates. Throws std::invalid_argument
/// on mismatched sizes or a record without objective changes.
ObjectiveCurvatureTerms group_objective_curvature_terms(const GroupRolloutRecord& group,
                                                        double action_scale,
                                                        Eigen::Index group_size);

/// h_t for t = 0..T-1 from every rollout's terms (summed in the given order) over the window
/// [t - window, t + window] (window >= 0); 0 where no step moved.
Eigen::VectorXd objective_curvature(const std::vector<ObjectiveCurvatureTerms>& rollouts,
                                    int window);

}  // namespace l2o
