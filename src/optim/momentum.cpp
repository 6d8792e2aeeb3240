#include "optim/momentum.hpp"

#include <cmath>

namespace l2o {

void MomentumParameters::check() const {
  require(std::isfinite(learning_rate) && learning_rate > 0.0, optimizer, "learning_rate",
          "finite and > 0", learning_rate);
  require(momentum >= 0.0 && momentum < 1.0, optimizer, "momentum", "in [0, 1)", momentum);
}

void Momentum::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
  buffer_.setZero(dimension);
}

Optimizer::Iteration Momentum::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  const double mu = parameters_.momentum;
  buffer_ = mu * buffer_ + gradient_;
  if (parameters_.nesterov) {
    x -= parameters_.learning_rate * (gradient_ + mu * buffer_);
  } else {
    x -= parameters_.learning_rate * buffer_;
  }
  return {loss, false};
}

}  // namespace l2o
