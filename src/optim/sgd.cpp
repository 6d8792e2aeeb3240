#include "optim/sgd.hpp"

#include <cmath>

namespace l2o {

void SgdParameters::check() const {
  require(std::isfinite(learning_rate) && learning_rate > 0.0, optimizer, "learning_rate",
          "finite and > 0", learning_rate);
}

void Sgd::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
}

Optimizer::Iteration Sgd::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  x -= parameters_.learning_rate * gradient_;
  return {loss, false};
}

}  // namespace l2o
