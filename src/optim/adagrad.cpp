#include "optim/adagrad.hpp"

#include <cmath>

namespace l2o {

void AdagradParameters::check() const {
  require(std::isfinite(learning_rate) && learning_rate > 0.0, optimizer, "learning_rate",
          "finite and > 0", learning_rate);
  require(std::isfinite(initial_accumulator) && initial_accumulator >= 0.0, optimizer,
          "initial_accumulator", "finite and >= 0", initial_accumulator);
  require(std::isfinite(epsilon) && epsilon > 0.0, optimizer, "epsilon", "finite and > 0", epsilon);
}

void Adagrad::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
  accumulator_.setConstant(dimension, parameters_.initial_accumulator);
}

Optimizer::Iteration Adagrad::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  accumulator_ += gradient_.cwiseProduct(gradient_);
  x.array() -= parameters_.learning_rate * gradient_.array() /
               (accumulator_.array().sqrt() + parameters_.epsilon);
  return {loss, false};
}

}  // namespace l2o
