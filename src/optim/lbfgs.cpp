#include "optim/lbfgs.hpp"

#include <cmath>

namespace l2o {

void LbfgsParameters::check() const {
  line_search.check(optimizer);
  require(memory >= 1, optimizer, "memory", ">= 1", memory);
  require(curvature_epsilon >= 0.0 && curvature_epsilon < 1.0, optimizer, "curvature_epsilon",
          "in [0, 1)", curvature_epsilon);
}

void Lbfgs::do_start(Eigen::Index dimension) {
  const int m = parameters_.memory;
  steps_.resize(dimension, m);
  gradient_changes_.resize(dimension, m);
  inverse_curvatures_.resize(m);
  coefficients_.resize(m);
  stored_ = 0;
  newest_ = -1;
  gradient_.resize(dimension);
  direction_.resize(dimension);
  trial_.resize(dimension);
  trial_gradient_.resize(dimension);
}

void Lbfgs::compute_direction() {
  const int m = parameters_.memory;
  direction_ = -gradient_;             // q of Alg. 7.4, negated throughout
  for (int k = 0; k < stored_; ++k) {  // newest to oldest
    const int i = (newest_ - k + m) % m;
    coefficients_(i) = inverse_curvatures_(i) * steps_.col(i).dot(direction_);
    direction_ -= coefficients_(i) * gradient_changes_.col(i);
  }
  if (stored_ > 0) {
    const double gamma =
        1.0 / (inverse_curvatures_(newest_) * gradient_changes_.col(newest_).squaredNorm());
    direction_ *= gamma;
  }
  for (int k = stored_ - 1; k >= 0; --k) {  // oldest to newest
    const int i = (newest_ - k + m) % m;
    const double beta = inverse_curvatures_(i) * gradient_changes_.col(i).dot(direction_);
    direction_ += (coefficients_(i) - beta) * steps_.col(i);
  }
}

Optimizer::Iteration Lbfgs::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  compute_direction();
  double slope = gradient_.dot(direction_);
  if (!(slope < 0.0)) {  // H lost positive definiteness to rounding: drop the memory
    stored_ = 0;
    direction_ = -gradient_;
    slope = -gradient_.squaredNorm();
  }
  if (slope == 0.0) return {loss, false};  // zero gradient: stationary, nothing to do

  const LineSearchResult result = armijo_backtracking(parameters_.line_search, oracle, x, loss,
                                                      slope, direction_, trial_, &trial_gradient_);
  if (!result.accepted) {
    stored_ = 0;
    return {loss, true};
  }
  // The candidate pair, in workspaces no longer needed this iteration; a skipped pair must not
  // overwrite the oldest stored one.
  direction_ = trial_ - x;
  trial_gradient_ -= gradient_;
  const double curvature = direction_.dot(trial_gradient_);
  if (curvature > parameters_.curvature_epsilon * direction_.norm() * trial_gradient_.norm()) {
    const int m = parameters_.memory;
    newest_ = (newest_ + 1) % m;
    steps_.col(newest_) = direction_;
    gradient_changes_.col(newest_) = trial_gradient_;
    inverse_curvatures_(newest_) = 1.0 / curvature;
    if (stored_ < m) ++stored_;
  }
  x = trial_;
  return {loss, false};
}

}  // namespace l2o
