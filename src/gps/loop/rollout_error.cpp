#include "gps/loop/rollout_error.hpp"

namespace l2o {

namespace {

std::string describe(const RolloutContext& context, int group, int time_step,
                     const std::string& what) {
  return "rollout failure (" +
         (group < 0 ? std::string("all groups") : "group " + std::to_string(group)) +
         ", iteration " + std::to_string(context.iteration) + ", rollout " +
         std::to_string(context.rollout) + ", time step " + std::to_string(time_step) +
         "): " + what;
}

}  // namespace

RolloutError::RolloutError(const RolloutContext& context, int group, int time_step,
                           const std::string& what)
    : std::runtime_error(describe(context, group, time_step, what)),
      context_(context),
      group_(group),
      time_step_(time_step) {}

}  // namespace l2o
