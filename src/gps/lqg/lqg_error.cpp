#include "gps/lqg/lqg_error.hpp"

namespace l2o {

namespace {

std::string describe(const LqgContext& context, Eigen::Index time_step, const std::string& what) {
  return "LQG failure (group " + std::to_string(context.group) + ", iteration " +
         std::to_string(context.iteration) + ", time step " + std::to_string(time_step) +
         "): " + what;
}

}  // namespace

LqgError::LqgError(const LqgContext& context, Eigen::Index time_step, const std::string& what)
    : std::runtime_error(describe(context, time_step, what)),
      context_(context),
      time_step_(time_step) {}

}  // namespace l2o
