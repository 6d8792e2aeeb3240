#include "l2l/l2l_optimizer.hpp"

#include <stdexcept>
#include <utility>

namespace l2o {

L2lOptimizer::L2lOptimizer(LstmParameters<double> parameters, const L2lNetworkParams& params)
    : parameters_(std::move(parameters)), network_(parameters_.shape(), params) {}

HyperparameterList L2lOptimizer::hyperparameters() const {
  const LstmShape& shape = parameters_.shape();
  return {{"input_size", static_cast<double>(shape.input_size)},
          {"hidden_size", static_cast<double>(shape.hidden_size)},
          {"num_layers", static_cast<double>(shape.num_layers)},
          {"output_size", static_cast<double>(shape.output_size)},
          {"preprocess_p", network_.params().preprocess_p},
          {"output_scale", network_.params().output_scale}};
}

void L2lOptimizer::do_start(Eigen::Index dimension) {
  if (state_ && state_->batch_size() == dimension) {
    state_->reset();
  } else {
    state_.emplace(parameters_.shape(), dimension);
  }
  gradient_.resize(dimension);
  delta_.resize(dimension);
}

Eigen::VectorXd L2lOptimizer::run_state() const {
  if (!state_) throw std::logic_error("l2l: run_state() before start()");
  StateWriter out;
  state_->save(out);
  return out.finish();
}

void L2lOptimizer::restore_run_state(const Eigen::VectorXd& state) {
  if (!state_) throw std::logic_error("l2l: restore_run_state() before start()");
  StateReader in(state);
  state_->restore(in);
  in.finish();
}

Optimizer::Iteration L2lOptimizer::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  network_.step(parameters_, gradient_, *state_, delta_);
  x += delta_;
  return {loss, false};
}

}  // namespace l2o
