#include "optim/adam.hpp"

#include <cmath>
#include <stdexcept>

namespace l2o {

void AdamParameters::check() const {
  require(std::isfinite(learning_rate) && learning_rate > 0.0, optimizer, "learning_rate",
          "finite and > 0", learning_rate);
  require(beta1 >= 0.0 && beta1 < 1.0, optimizer, "beta1", "in [0, 1)", beta1);
  require(beta2 >= 0.0 && beta2 < 1.0, optimizer, "beta2", "in [0, 1)", beta2);
  require(std::isfinite(epsilon) && epsilon > 0.0, optimizer, "epsilon", "finite and > 0", epsilon);
}

void Adam::do_start(Eigen::Index dimension) {
  gradient_.resize(dimension);
  first_moment_.setZero(dimension);
  second_moment_.setZero(dimension);
  iteration_ = 0;
}

void Adam::restore(const AdamState& state) {
  if (state.first_moment.size() != dimension() || state.second_moment.size() != dimension() ||
      state.iteration < 0)
    throw std::invalid_argument("Adam::restore: state of another dimension or a negative step");
  first_moment_ = state.first_moment;
  second_moment_ = state.second_moment;
  iteration_ = state.iteration;
}

Optimizer::Iteration Adam::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  const auto& p = parameters_;
  ++iteration_;
  first_moment_ = p.beta1 * first_moment_ + (1.0 - p.beta1) * gradient_;
  second_moment_ = p.beta2 * second_moment_ + (1.0 - p.beta2) * gradient_.cwiseProduct(gradient_);
  const auto t = static_cast<double>(iteration_);
  const double step_size = p.learning_rate / (1.0 - std::pow(p.beta1, t));
  const double correction2_sqrt = std::sqrt(1.0 - std::pow(p.beta2, t));
  x.array() -= step_size * first_moment_.array() /
               (second_moment_.array().sqrt() / correction2_sqrt + p.epsilon);
  return {loss, false};
}

}  // namespace l2o
