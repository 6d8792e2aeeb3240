#include "optim/conjugate_gradient.hpp"

namespace l2o {

void ConjugateGradient::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
  previous_gradient_.resize(dimension);
  direction_.resize(dimension);
  trial_.resize(dimension);
  workspace_.resize(parameters_.exact_line_search ? dimension : 0);
  has_direction_ = false;
}

Optimizer::Iteration ConjugateGradient::do_step(Eigen::Ref<Eigen::VectorXd> x,
                                                MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  double beta = 0.0;
  if (has_direction_) {
    beta = gradient_.dot(gradient_ - previous_gradient_) / previous_gradient_.squaredNorm();
    if (!(beta > 0.0)) beta = 0.0;  // PR+ clip; also catches 0/0
  }
  direction_ = beta * direction_ - gradient_;
  double slope = gradient_.dot(direction_);
  if (!(slope < 0.0)) {  // not a descent direction: restart along -g
    direction_ = -gradient_;
    slope = -gradient_.squaredNorm();
  }
  if (slope == 0.0) return {loss, false};  // zero gradient: stationary, nothing to do

  const LineSearchResult result =
      parameters_.exact_line_search
          ? quadratic_exact_step(oracle, x, slope, direction_, trial_, workspace_)
          : armijo_backtracking(parameters_.line_search, oracle, x, loss, slope, direction_, trial_,
                                nullptr);
  has_direction_ = result.accepted;
  if (!result.accepted) return {loss, true};
  x = trial_;
  previous_gradient_ = gradient_;
  return {loss, false};
}

}  // namespace l2o
