#pragma once
// Step-size adaptation of the KL trust region (gps-spec.md §10, [GPS] _stepadjust and
// _set_new_mult): compare the improvement the previous local model predicted with the one the
// new model reports, and scale the step multiplier m_g.
#include "gps/lqg/linear_gaussian.hpp"
#include "gps/lqg/lqg_error.hpp"
#include "gps/lqg/lqg_forward_pass.hpp"
#include "gps/lqg/lqg_laplace_estimate.hpp"

namespace l2o {

/// Parameters of the step-size rule (gps-spec.md §10, §13).
struct StepSizeParams {
  double ratio_min = 0.1;        ///< lower clip of the multiplier change r
  double ratio_max = 5.0;        ///< upper clip of r
  double multiplier_min = 0.01;  ///< lower clamp of m_g
  double multiplier_max = 10.0;  ///< upper clamp of m_g
  double penalty_floor = 1e-4;   ///< floor of pred - act in the denominator
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Predicted and actual improvement of the last policy update.
struct StepImprovement {
  double predicted = 0.0;  ///< J(psi_prev; prev) - J(psi-hat; prev)
  double actual = 0.0;     ///< J(psi_prev; prev) - J(psi-hat; cur)
  /// The cost part of `predicted` alone (LaplaceEstimate::cost, no nu-weighted KL): the previous
  /// model's change of the objective, which global step control compares with the realised one.
  double predicted_cost = 0.0;
};

/// r = pred / (2 max(floor, pred - act)), clipped to [ratio_min, ratio_max] (gps-spec.md §10).
double step_size_ratio(const StepImprovement& improvement, const StepSizeParams& params);

/// m_g <- min(max(r m_g, multiplier_min), multiplier_max) (gps-spec.md §10).
double adapt_step_multiplier(double multiplier, const StepImprovement& improvement,
                             const StepSizeParams& params);

/// Predicted and actual improvement from Laplace estimates (gps-spec.md §7.7, §10): the previous
/// sampling policy and the current one, under the previous and the current local models, with
/// the current penalty weights nu.
StepImprovement step_improvement(const LinearGaussianPolicy& previous_policy,
                                 const LinearGaussianPolicy& current_policy,
                                 const LqgModel& previous_model, const LqgModel& current_model,
                                 const Eigen::VectorXd& nu, LqgForwardPass& forward,
                                 const LqgContext& context);

}  // namespace l2o
