#include "gps/lqg/step_size.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace l2o {

void StepSizeParams::check() const {
  if (!(ratio_min > 0.0)) throw std::invalid_argument("StepSizeParams.ratio_min must be > 0");
  if (!(ratio_max >= ratio_min)) {
    throw std::invalid_argument("StepSizeParams.ratio_max must be >= ratio_min");
  }
  if (!(multiplier_min > 0.0)) {
    throw std::invalid_argument("StepSizeParams.multiplier_min must be > 0");
  }
  if (!(multiplier_max >= multiplier_min)) {
    throw std::invalid_argument("StepSizeParams.multiplier_max must be >= multiplier_min");
  }
  if (!(penalty_floor > 0.0))
    throw std::invalid_argument("StepSizeParams.penalty_floor must be > 0");
}

double step_size_ratio(const StepImprovement& improvement, const StepSizeParams& params) {
  // The model I(eps) = pred' eps + pen eps^2 through the predicted and actual improvement is
  // maximised at r times the current step ([GPS] _stepadjust).
  const double penalty = std::max(params.penalty_floor, improvement.predicted - improvement.actual);
  const double ratio = improvement.predicted / (2.0 * penalty);
  return std::clamp(ratio, params.ratio_min, params.ratio_max);
}

double adapt_step_multiplier(double multiplier, const StepImprovement& improvement,
                             const StepSizeParams& params) {
  return std::clamp(step_size_ratio(improvement, params) * multiplier, params.multiplier_min,
                    params.multiplier_max);
}

StepImprovement step_improvement(const LinearGaussianPolicy& previous_policy,
                                 const LinearGaussianPolicy& current_policy,
                                 const LqgModel& previous_model, const LqgModel& current_model,
                                 const Eigen::VectorXd& nu, LqgForwardPass& forward,
                                 const LqgContext& context) {
  const LaplaceEstimate previous_on_previous =
      laplace_estimate(previous_policy, previous_model, nu, forward, context);
  const LaplaceEstimate current_on_previous =
      laplace_estimate(current_policy, previous_model, nu, forward, context);
  const double current_on_current =
      laplace_estimate(current_policy, current_model, nu, forward, context).total();
  return {.predicted = previous_on_previous.total() - current_on_previous.total(),
          .actual = previous_on_previous.total() - current_on_current,
          .predicted_cost = previous_on_previous.cost - current_on_previous.cost};
}

}  // namespace l2o
