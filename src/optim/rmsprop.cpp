#include "optim/rmsprop.hpp"

#include <cmath>

namespace l2o {

void RmspropParameters::check() const {
  require(std::isfinite(learning_rate) && learning_rate > 0.0, optimizer, "learning_rate",
          "finite and > 0", learning_rate);
  require(alpha >= 0.0 && alpha < 1.0, optimizer, "alpha", "in [0, 1)", alpha);
  require(std::isfinite(epsilon) && epsilon > 0.0, optimizer, "epsilon", "finite and > 0", epsilon);
}

void Rmsprop::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
  mean_square_.setZero(dimension);
}

Optimizer::Iteration Rmsprop::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  const double alpha = parameters_.alpha;
  mean_square_ = alpha * mean_square_ + (1.0 - alpha) * gradient_.cwiseProduct(gradient_);
  x.array() -= parameters_.learning_rate * gradient_.array() /
               (mean_square_.array().sqrt() + parameters_.epsilon);
  return {loss, false};
}

}  // namespace l2o
