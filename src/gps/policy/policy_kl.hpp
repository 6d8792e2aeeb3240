#pragma once
// Inputs of the BADMM dual updates of one group (gps-spec.md §9) from teacher-forced policy means:
// per step t the sums over all recorded (n, j) of d = mu^psi*_{j,t} - mu~^pi_{j,t} and d^2, held
// exactly (MomentSums fixed point), so the means are the same for any split of rollouts over
// ranks and any merge order (§14: "all-reduce of T sums per group"). Then
//   kl_t   = badmm_policy_kl(mismatch(), psi*.variance, params)   (Monte-Carlo KL, §9)
//   lambda : update_multipliers(mismatch(), psi*.variance, params, duals)
//   nu     : update_penalty_weights(kl, params, duals)             (last inner iteration only)
// with mu^psi* = linear_policy_means(record.states, psi*.gain, psi*.bias) and mu~^pi =
// LstmPolicy::teacher_forced_means of the same rollout.
#include <Eigen/Core>

#include "gps/fit/sufficient_statistics.hpp"
#include "gps/loop/badmm_dual_update.hpp"

namespace l2o {

/// Exact per-step sums of the psi-minus-pi mean-action differences of one group.
class PolicyMismatchStatistics {
 public:
  /// Empty sums for horizon T.
  explicit PolicyMismatchStatistics(int horizon) : sums_(horizon, 2, 0) {}
  /// Adds one rollout: psi*'s means and the teacher-forced means, both P x T (scaled units).
  /// Throws std::invalid_argument on a shape mismatch, std::overflow_error on non-finite data.
  void add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& psi_means,
                   const Eigen::Ref<const Eigen::MatrixXd>& policy_means);
  /// Per-step means of d and d^2 over every added point; throws std::invalid_argument if some
  /// step has no points.
  [[nodiscard]] PolicyMismatch mismatch() const;
  /// Horizon T.
  [[nodiscard]] int horizon() const { return sums_.steps(); }
  /// The sums, for reduction (serialize / merge).
  [[nodiscard]] const MomentSums& sums() const { return sums_; }
  /// Mutable sums, for the reduction layer.
  [[nodiscard]] MomentSums& sums() { return sums_; }

 private:
  MomentSums sums_;  ///< per step; U = [d, 1]
};

}  // namespace l2o
