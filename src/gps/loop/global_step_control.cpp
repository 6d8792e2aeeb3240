#include "gps/loop/global_step_control.hpp"

#include <cmath>
#include <stdexcept>

namespace l2o {

GlobalStepDecision global_step_decision(double multiplier, double predicted, double realised,
                                        const StepSizeParams& params) {
  if (!std::isfinite(predicted) || !std::isfinite(realised)) {
    throw std::invalid_argument("global_step_decision: improvements must be finite");
  }
  return {adapt_step_multiplier(multiplier, {predicted, realised}, params), realised >= 0.0};
}

}  // namespace l2o
