#include "gps/fit/fit_error.hpp"

namespace l2o {

FitError::FitError(const std::string& fit, const FitContext& context, int time_step,
                   const std::string& what)
    : std::runtime_error(fit + " failure (group " + std::to_string(context.group) + ", iteration " +
                         std::to_string(context.iteration) + ", time step " +
                         std::to_string(time_step) + "): " + what),
      context_(context),
      time_step_(time_step) {}

}  // namespace l2o
