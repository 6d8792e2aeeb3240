#include "l2l/l2l_network.hpp"

#include <cmath>
#include <stdexcept>

#include "optim/hyperparameters.hpp"

namespace l2o {

void L2lNetworkParams::check() const {
  require(std::isfinite(preprocess_p) && preprocess_p > 0.0, "l2l", "preprocess_p",
          "finite and > 0", preprocess_p);
  require(std::isfinite(output_scale) && output_scale > 0.0, "l2l", "output_scale",
          "finite and > 0", output_scale);
}

LstmShape l2l_shape() {
  return LstmShape{.input_size = 2, .hidden_size = 20, .num_layers = 2, .output_size = 1};
}

void preprocess_gradient(const Eigen::Ref<const Eigen::VectorXd>& gradient, double p,
                         Eigen::Ref<Eigen::MatrixXd> input) {
  const double threshold = std::exp(-p);
  const double scale = std::exp(p);
  for (Eigen::Index j = 0; j < gradient.size(); ++j) {
    const double g = gradient[j];
    if (std::abs(g) >= threshold) {
      input(j, 0) = std::log(std::abs(g)) / p;
      input(j, 1) = g > 0.0 ? 1.0 : -1.0;
    } else {
      input(j, 0) = -1.0;
      input(j, 1) = scale * g;
    }
  }
}

LstmParameters<double> initial_l2l_parameters(const LstmShape& shape, std::uint64_t seed) {
  LstmParameters<double> parameters(shape);
  RandomStream stream(seed, "l2l-initial-parameters");
  LstmInit init;
  init.readout_bound = 1.0 / std::sqrt(static_cast<double>(shape.hidden_size));
  parameters.initialize(stream, init);
  return parameters;
}

namespace {
const LstmShape& checked_l2l_shape(const LstmShape& shape) {
  shape.check();
  if (shape.input_size != 2) throw std::invalid_argument("l2l shape.input_size must be 2");
  if (shape.output_size != 1) throw std::invalid_argument("l2l shape.output_size must be 1");
  return shape;
}
}  // namespace

L2lNetwork::L2lNetwork(const LstmShape& shape, const L2lNetworkParams& params)
    : params_(params), engine_(checked_l2l_shape(shape)) {
  params_.check();
}

void L2lNetwork::step(const LstmParameters<double>& parameters,
                      const Eigen::Ref<const Eigen::VectorXd>& gradient, LstmState<double>& state,
                      Eigen::Ref<Eigen::VectorXd> delta, LstmTape<double>* tape) {
  const Eigen::Index d = gradient.size();
  if (input_.rows() != d) {
    input_.resize(d, 2);
    output_.resize(d, 1);
  }
  preprocess_gradient(gradient, params_.preprocess_p, input_);
  if (tape != nullptr) {
    engine_.step(parameters, input_, state, output_, *tape);
  } else {
    engine_.step(parameters, input_, state, output_);
  }
  delta.noalias() = params_.output_scale * output_.col(0);
}

}  // namespace l2o
