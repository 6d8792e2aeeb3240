#pragma once
// Errors of the LQG solver that a user can act on: no positive-definite solution even at the
// eta limit, non-finite inputs or results (gps-spec.md §7.3). The message names the group,
// the GPS iteration and the time step, so a failing run can be traced to its fits.
#include <Eigen/Core>
#include <stdexcept>
#include <string>

namespace l2o {

/// Where an LQG solve runs, for error messages (-1 = unknown).
struct LqgContext {
  int group = -1;      ///< coordinate group g
  int iteration = -1;  ///< GPS iteration i
};

/// A numerical failure of the LQG / DGD / KL computations of one group.
class LqgError : public std::runtime_error {
 public:
  /// Message "LQG failure (group g, iteration i, time step t): <what>".
  LqgError(const LqgContext& context, Eigen::Index time_step, const std::string& what);
  /// Group named in the message.
  [[nodiscard]] int group() const { return context_.group; }
  /// GPS iteration named in the message.
  [[nodiscard]] int iteration() const { return context_.iteration; }
  /// Time step named in the message (-1 when the failure is not tied to one step).
  [[nodiscard]] Eigen::Index time_step() const { return time_step_; }

 private:
  LqgContext context_;
  Eigen::Index time_step_;
};

}  // namespace l2o
