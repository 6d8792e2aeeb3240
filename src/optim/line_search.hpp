#pragma once
// Line searches for the minibatch setting: they call the same oracle (hence the same minibatch) as
// the iteration that uses them, and every call is counted by the oracle.
#include <Eigen/Core>
#include <string_view>

#include "objective/minibatch_oracle.hpp"

namespace l2o {

/// Backtracking line search with the Armijo sufficient-decrease test (Nocedal & Wright, Alg. 3.1).
struct ArmijoParameters {
  double initial_step = 1.0;          ///< first trial step length along the direction (> 0)
  double shrink = 0.5;                ///< factor applied to the step after a rejection, in (0, 1)
  double sufficient_decrease = 1e-4;  ///< Armijo constant c1 of N&W eq. (3.4), in (0, 1)
  int max_backtracks = 30;            ///< rejections allowed before giving up (>= 0)

  /// Throws std::invalid_argument "<owner>.<field> must be ..." on an out-of-range field.
  void check(std::string_view owner) const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("initial_step", self.initial_step);
    visit("shrink", self.shrink);
    visit("sufficient_decrease", self.sufficient_decrease);
    visit("max_backtracks", self.max_backtracks);
  }
};

/// Outcome of one line search.
struct LineSearchResult {
  double step = 0.0;      ///< accepted step length (0 when not accepted)
  bool accepted = false;  ///< false: no acceptable step was found; `trial` is meaningless
};

/// Backtracking from x along `direction` (slope = gradient'direction < 0, loss = f(x)): tries
/// steps initial_step * shrink^k, k = 0..max_backtracks, and accepts the first with
/// f(x + step d) <= loss + c1 step slope. On acceptance `trial` holds x + step d and, if
/// `trial_gradient` is not null, the gradient there (then every trial evaluates the gradient).
LineSearchResult armijo_backtracking(const ArmijoParameters& parameters, MinibatchOracle& oracle,
                                     const Eigen::Ref<const Eigen::VectorXd>& x, double loss,
                                     double slope,
                                     const Eigen::Ref<const Eigen::VectorXd>& direction,
                                     Eigen::Ref<Eigen::VectorXd> trial,
                                     Eigen::VectorXd* trial_gradient);

/// Exact minimiser of f along `direction` when f is quadratic: one secant step on
/// phi'(t) = grad f(x + t d)'d using the gradient at x + d (one oracle call, written into
/// `workspace`): t* = -slope / (phi'(1) - slope) (N&W eq. 5.7 with d'Ad = phi'(1) - phi'(0)).
/// Not accepted when the measured curvature is not positive. On acceptance trial = x + t* d.
LineSearchResult quadratic_exact_step(MinibatchOracle& oracle,
                                      const Eigen::Ref<const Eigen::VectorXd>& x, double slope,
                                      const Eigen::Ref<const Eigen::VectorXd>& direction,
                                      Eigen::Ref<Eigen::VectorXd> trial,
                                      Eigen::VectorXd& workspace);

}  // namespace l2o
