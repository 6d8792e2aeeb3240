#pragma once
// Per-(group, time step) sufficient statistics of the recorded rollouts (gps-spec.md §14): for
// every step t the sums U_t^T U_t and V_t^T U_t over all recorded points, where the columns of
// U and V are fixed per statistics kind. Sums are held in 128-bit fixed point (resolution
// 2^-72), so adding rollouts is exact integer arithmetic: the result is bitwise the same for
// any split of rollouts over ranks or threads and any merge order (§14 "fixed-order/compensated
// scheme"). Each rollout's products are formed in double (one GEMM per step) and rounded once.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "gps/features/features.hpp"

namespace l2o {

/// Signed 128-bit fixed-point value: the integer v stands for v * 2^-72.
__extension__ typedef __int128 FixedPoint;

/// Exact sums of Gram (U^T U, p x p, symmetric) and cross (V^T U, q x p) moments per time step.
class MomentSums {
 public:
  /// Zero sums for `steps` time steps with p = `u_columns`, q = `v_columns`.
  MomentSums(int steps, int u_columns, int v_columns);

  /// Adds one block of products at step t: `gram` (p x p, upper triangle read) and `cross`
  /// (q x p). Throws std::overflow_error naming t if an entry is non-finite or |entry| >= 2^40.
  void add(int t, const Eigen::Ref<const Eigen::MatrixXd>& gram,
           const Eigen::Ref<const Eigen::MatrixXd>& cross);
  /// Like add(), but returns false instead of throwing (usable inside OpenMP regions).
  [[nodiscard]] bool try_add(int t, const Eigen::Ref<const Eigen::MatrixXd>& gram,
                             const Eigen::Ref<const Eigen::MatrixXd>& cross);
  /// Adds another object of the same shape (exact, so the order of merges does not matter).
  void merge(const MomentSums& other);

  /// Contiguous buffer for MPI: [steps, p, q, then every 128-bit entry as (low, high) words].
  [[nodiscard]] std::vector<std::uint64_t> serialize() const;
  /// Inverse of serialize(); throws std::invalid_argument on a malformed buffer.
  static MomentSums deserialize(std::span<const std::uint64_t> buffer);

  /// Sum over t = first..last of U^T U as a full symmetric p x p matrix (rounded once).
  void gram(int first, int last, Eigen::Ref<Eigen::MatrixXd> out) const;
  /// Sum over t = first..last of V^T U, q x p (rounded once).
  void cross(int first, int last, Eigen::Ref<Eigen::MatrixXd> out) const;

  /// Number of time steps.
  [[nodiscard]] int steps() const { return steps_; }
  /// p: columns of U.
  [[nodiscard]] int u_columns() const { return u_columns_; }
  /// q: columns of V.
  [[nodiscard]] int v_columns() const { return v_columns_; }
  /// Bitwise equality of all sums.
  [[nodiscard]] bool operator==(const MomentSums& other) const;

 private:
  [[nodiscard]] Eigen::Index gram_entries() const {
    return Eigen::Index{u_columns_} * (u_columns_ + 1) / 2;
  }
  [[nodiscard]] Eigen::Index entries_per_step() const {
    return gram_entries() + Eigen::Index{v_columns_} * u_columns_;
  }
  void check_range(int first, int last) const;
  [[nodiscard]] std::vector<FixedPoint> window_sum(int first, int last, Eigen::Index offset,
                                                   Eigen::Index count) const;

  int steps_;
  int u_columns_;
  int v_columns_;
  std::vector<FixedPoint> sums_;  ///< per step: packed upper Gram (column-major), then cross
};

/// Recorded data of one rollout for one group (gps-spec.md §3.3), states and actions in scaled
/// units (§3.2; raw for the pilot rollouts that define the scales), true gradients raw. n = 76
/// (78 with the adaptive features, +1 with the privileged gradient), m = 3 (5).
struct GroupRolloutRecord {
  std::vector<Eigen::MatrixXd> states;  ///< T matrices P x n: s_{j,t} of the recorded j
  Eigen::MatrixXd actions;              ///< P x T: a_{j,t}
  Eigen::MatrixXd true_gradients;       ///< P x (T+1): g_{t,j} of the cost set, t = 0..T
  /// P x T: (H_t g_t)_j, the cost set's Hessian times its gradient (curvature along the gradient,
  /// CurvatureEstimate::gradient in cost_model.hpp); empty when not measured
  Eigen::MatrixXd gradient_curvatures;
  /// T: the change of the cost-set objective when this group takes its step t, the groups moving
  /// one after the other in group order from x_t (so the groups' changes add up to
  /// f_{t+1} - f_t); CurvatureEstimate::group_objective; empty when not measured
  Eigen::VectorXd objective_changes;
  std::vector<Eigen::MatrixXd> observations;  ///< T matrices P x m: o_{j,t} (§2.3), for pi
  std::vector<Eigen::Index> coordinates;      ///< P sorted indices j within the group (R_{n,g})
};

/// Statistics for the dynamics (§5) and cost (§4) fits of an n-dim state: U = [s (n), a, g, 1]
/// at step t, V = [s_{t+1} (n), g_{t+1}, H g_t] (s_T does not exist: zero at t = T-1; H g_t is
/// zero when the record has no gradient curvatures).
class TransitionStatistics {
 public:
  /// Empty statistics for horizon T and state dimension n (the paper's 76 by default).
  explicit TransitionStatistics(int horizon, int state_dim = kStateDim)
      : sums_(horizon, state_dim + 3, state_dim + 2) {}
  /// Adds one rollout's recorded points (OpenMP over time steps; result thread-independent).
  void add_rollout(const GroupRolloutRecord& record);
  /// Horizon T.
  [[nodiscard]] int horizon() const { return sums_.steps(); }
  /// State dimension n.
  [[nodiscard]] int state_dim() const { return sums_.u_columns() - 3; }
  /// U column of a_t.
  [[nodiscard]] int action_column() const { return state_dim(); }
  /// U column of g_t.
  [[nodiscard]] int gradient_column() const { return state_dim() + 1; }
  /// U column of the constant 1.
  [[nodiscard]] int one_column() const { return state_dim() + 2; }
  /// V column of g_{t+1}.
  [[nodiscard]] int next_gradient_column() const { return state_dim(); }
  /// V column of H_t g_t.
  [[nodiscard]] int gradient_curvature_column() const { return state_dim() + 1; }
  /// The sums, for reduction (serialize / merge) and for the fits.
  [[nodiscard]] const MomentSums& sums() const { return sums_; }
  /// Mutable sums, for the reduction layer.
  [[nodiscard]] MomentSums& sums() { return sums_; }

 private:
  MomentSums sums_;
};

/// Statistics for the policy linearisation (§6) of an n-dim state: U = [s (n), mu^pi / sigma_a,
/// 1], no V.
class PolicyStatistics {
 public:
  /// Empty statistics for horizon T and state dimension n (the paper's 76 by default).
  explicit PolicyStatistics(int horizon, int state_dim = kStateDim)
      : sums_(horizon, state_dim + 2, 0) {}
  /// Adds one rollout: `states` as in GroupRolloutRecord, `policy_means` P x T (scaled).
  void add_rollout(const std::vector<Eigen::MatrixXd>& states, const Eigen::MatrixXd& policy_means);
  /// Horizon T.
  [[nodiscard]] int horizon() const { return sums_.steps(); }
  /// State dimension n.
  [[nodiscard]] int state_dim() const { return sums_.u_columns() - 2; }
  /// U column of the scaled LSTM mean.
  [[nodiscard]] int policy_mean_column() const { return state_dim(); }
  /// U column of the constant 1.
  [[nodiscard]] int one_column() const { return state_dim() + 1; }
  /// The sums, for reduction and for the fit.
  [[nodiscard]] const MomentSums& sums() const { return sums_; }
  /// Mutable sums, for the reduction layer.
  [[nodiscard]] MomentSums& sums() { return sums_; }

 private:
  MomentSums sums_;
};

}  // namespace l2o
