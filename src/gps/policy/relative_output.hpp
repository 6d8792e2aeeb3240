#pragma once
// The relative output of the learned policy (issue 19 items 2-3; docs/gps-design.md "Relative
// output"). The paper's policy outputs the step itself (sigma_a mu~, §8.1), an absolute length
// fitted to the training task's scale; on a wider net or a smaller minibatch the observations
// leave the range they were normalised on and the steps never shrink (Fig. 4 diverged). Here the
// LSTM of group g outputs a log step factor u_{j,t} (sigma_a = 1) and coordinate j moves by
//   x_j <- x_j - s_g exp(clamp(u_{j,t}, -L, L)) m_j / (sqrt(v_j) + eps)
// along the moment direction of psi (optim/moment_direction.hpp) with psi's beta_g, rho_g, w, eps,
// and psi's rate s_g = s (n_g / n_ref,g)^(-a_g) of the group's size (optim/size_scaling.hpp).
// So an untrained policy (u = 0) is psi at its base rate, imitating psi means regressing u on
// psi's log rate l_g(t), and a step is never longer than s_g e^L |m| / (sqrt(v) + eps) (at most
// s_g e^L on AdaGrad's direction, |g_t| <= sqrt(G_t)) whatever the observations: the optimizer
// carries its own step bound. The LSTM also reads a time input
//   tau_t = min(log(1 + t) / log(1 + T), 1)
// (T the meta-training horizon), so it can learn psi's schedule, held beyond T as psi holds it.
#include <Eigen/Core>
#include <span>
#include <vector>

#include "gps/features/feature_history.hpp"
#include "optim/moment_direction.hpp"
#include "optim/size_scaling.hpp"

namespace l2o {

/// psi's constants of one group.
struct RelativeGroup {
  MomentDirection direction;  ///< beta_g, rho_g, w, eps
  SizeScaling size;           ///< the group's rate is s (n_g / n_ref,g)^(-a_g)
};

/// The constants of a relative output.
struct RelativeOutput {
  double base_rate = 0.1;       ///< s > 0, psi's base learning rate
  double max_log_factor = 2.0;  ///< L > 0: the factor stays in [e^-L, e^L]
  int horizon = 400;            ///< T >= 1 of the time input
  /// One per group: of the model's groups in a model file, of the net's groups in a run.
  std::vector<RelativeGroup> groups;

  /// Throws std::invalid_argument naming the first bad field; `group_count` directions expected.
  void check(std::size_t group_count) const;
};

/// tau_t = min(log(1 + t) / log(1 + horizon), 1), the time input of a relative policy.
double relative_time_input(int t, int horizon);

/// The policy's observation dimension: the feature set's, plus the time input if `relative`.
int policy_input_dimension(FeatureSet features, bool relative);

/// The observations the policy reads at the history's current step, of every coordinate: the
/// feature set's Psi_t (feature_history.hpp) and, if `relative` is given, tau_t in the last
/// column. `out` is d x policy_input_dimension.
void policy_observations(const FeatureHistory& history, const RelativeOutput* relative,
                         Eigen::Ref<Eigen::MatrixXd> out);
/// As above for the coordinates `rows` (out: rows.size() x policy_input_dimension).
void policy_observations(const FeatureHistory& history, std::span<const Eigen::Index> rows,
                         const RelativeOutput* relative, Eigen::Ref<Eigen::MatrixXd> out);

}  // namespace l2o
