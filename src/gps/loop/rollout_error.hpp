#pragma once
// The hard error of a GPS rollout whose objective, features or actions become non-finite
// (gps-spec.md §3.3: "never silently dropped"). The message names the group, the GPS iteration,
// the rollout and the time step, so the failing controller can be found.
#include <stdexcept>
#include <string>

namespace l2o {

/// Which rollout of which GPS iteration is running, for error messages.
struct RolloutContext {
  int iteration = -1;  ///< GPS iteration i
  int rollout = -1;    ///< rollout index n within the iteration
};

/// A non-finite value in a rollout.
class RolloutError : public std::runtime_error {
 public:
  /// Message "rollout failure (group g, iteration i, rollout n, time step t): <what>"; group -1
  /// (a value shared by every group, such as the objective) reads "all groups".
  RolloutError(const RolloutContext& context, int group, int time_step, const std::string& what);
  /// Group named in the message (-1: all groups).
  [[nodiscard]] int group() const { return group_; }
  /// GPS iteration named in the message.
  [[nodiscard]] int iteration() const { return context_.iteration; }
  /// Rollout named in the message.
  [[nodiscard]] int rollout() const { return context_.rollout; }
  /// Time step named in the message.
  [[nodiscard]] int time_step() const { return time_step_; }

 private:
  RolloutContext context_;
  int group_;
  int time_step_;
};

}  // namespace l2o
