#pragma once
// The one interface the harness drives, one iteration at a time (paper §4: every algorithm sees one
// fresh minibatch per iteration). Hand-designed and learned optimizers alike implement it.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "objective/minibatch_oracle.hpp"
#include "objective/mlp.hpp"
#include "optim/hyperparameters.hpp"

namespace l2o {

/// What one iteration reports to the harness.
struct StepReport {
  double loss = 0.0;                ///< minibatch loss at the iterate the iteration started from
  std::int64_t evaluations = 0;     ///< oracle calls (loss or loss+gradient) during the iteration
  bool line_search_failed = false;  ///< a line search gave up; the iterate was left unchanged
};

/// An iterative optimizer: start(d) once per run, then step() once per iteration.
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  /// Short lower-case name ("adam", "lbfgs", ...), as accepted by make_optimizer().
  [[nodiscard]] virtual std::string name() const = 0;
  /// Hyperparameters as (name, value) pairs, in a fixed order, for output files.
  [[nodiscard]] virtual HyperparameterList hyperparameters() const = 0;

  /// Creates fresh per-run state (moments, history) for `dimension` parameters (no group layout).
  void start(Eigen::Index dimension);
  /// As start(dimension) for a parameter vector made of `groups` (Mlp::groups(): contiguous, in
  /// order): learned optimizers act per group and find their group's policy by role (gps-spec.md
  /// §15). Throws std::invalid_argument unless the groups tile [0, d) or check_groups() fails.
  void start(const std::vector<ParameterGroup>& groups);
  /// Throws std::invalid_argument if this optimizer cannot run on a parameter vector made of
  /// `groups` (a learned optimizer with no policy for one of their roles); by default it can.
  virtual void check_groups(const std::vector<ParameterGroup>& groups) const { (void)groups; }
  /// One iteration on the oracle's current (fixed) minibatch; updates x in place.
  /// Throws std::logic_error before start() and std::invalid_argument on a size mismatch.
  StepReport step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle);
  /// Dimension given to the last start(), or -1 before the first.
  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  /// Groups given to the last start(), empty if it was given only the dimension.
  [[nodiscard]] const std::vector<ParameterGroup>& groups() const { return groups_; }

 protected:
  /// What an implementation returns from one iteration; step() adds the evaluation count.
  struct Iteration {
    double loss = 0.0;                ///< minibatch loss at the starting iterate
    bool line_search_failed = false;  ///< see StepReport
  };
  /// Sizes workspaces and resets all per-run state (groups() is already set).
  virtual void do_start(Eigen::Index dimension) = 0;
  /// One iteration; x and the oracle have the dimension given to do_start().
  virtual Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) = 0;

 private:
  Eigen::Index dimension_ = -1;
  std::vector<ParameterGroup> groups_;
};

}  // namespace l2o
