#pragma once
// The inputs of one group's psi-step (gps-spec.md §7.1): fitted dynamics and cost, the KL
// anchor psi-hat, the linearisation pi-bar of the global policy and the BADMM duals.
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"

namespace l2o {

/// Non-owning view of the data of one LQG solve; all pointers must outlive the solve.
struct LqgProblem {
  const LinearGaussianDynamics* dynamics = nullptr;     ///< required
  const QuadraticCost* cost = nullptr;                  ///< required
  const LinearGaussianPolicy* anchor = nullptr;         ///< psi-hat; nullptr drops the eta*M term
  const LinearGaussianPolicy* linearisation = nullptr;  ///< pi-bar; required when duals given
  const BadmmDuals* duals = nullptr;                    ///< lambda, nu; nullptr means all zero
  const ActiveMask* active = nullptr;                   ///< T x n; nullptr means all active

  /// Throws std::invalid_argument naming the first missing or mis-sized field.
  void check_shapes() const;
  /// check_shapes(), then throws LqgError naming the field and time step of the first
  /// non-finite value or non-positive variance (O(T n^2): once per DGD call, not per sweep).
  void validate(const LqgContext& context) const;
  /// Number of time steps T.
  [[nodiscard]] Eigen::Index horizon() const { return cost->horizon(); }
  /// State dimension n.
  [[nodiscard]] Eigen::Index state_dim() const { return dynamics->state_dim(); }
};

}  // namespace l2o
