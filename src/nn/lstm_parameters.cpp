#include "nn/lstm_parameters.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

void LstmInit::check() const {
  const auto require = [](bool ok, const char* field, double value) {
    if (!ok) {
      throw std::invalid_argument(std::string("LstmInit.") + field + " is invalid (got " +
                                  std::to_string(value) + ")");
    }
  };
  require(std::isfinite(weight_bound), "weight_bound", weight_bound);
  require(std::isfinite(forget_gate_bias), "forget_gate_bias", forget_gate_bias);
  require(std::isfinite(readout_bound) && readout_bound >= 0.0, "readout_bound", readout_bound);
}

template <class Scalar>
LstmParameters<Scalar>::LstmParameters(const LstmShape& shape) : shape_(shape) {
  shape_.check();
  values_ = Vector::Zero(shape_.parameter_count());
}

template <class Scalar>
void LstmParameters<Scalar>::initialize(RandomStream& stream, const LstmInit& init) {
  init.check();
  const double weight_bound =
      init.weight_bound < 0.0 ? 1.0 / std::sqrt(static_cast<double>(hidden())) : init.weight_bound;
  // Symmetric uniform draws, consumed in layout order so a seed fixes every weight.
  const auto fill_uniform = [&stream](auto&& block, double bound) {
    for (Eigen::Index i = 0; i < block.size(); ++i) {
      block.data()[i] = static_cast<Scalar>(bound * (2.0 * stream.uniform() - 1.0));
    }
  };
  values_.setZero();
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    fill_uniform(w_ih(layer), weight_bound);
    fill_uniform(w_hh(layer), weight_bound);
    const auto forget = static_cast<Eigen::Index>(LstmGate::forget);
    b_ih(layer)
        .segment(forget * hidden(), hidden())
        .setConstant(static_cast<Scalar>(init.forget_gate_bias));
  }
  fill_uniform(w_out(), init.readout_bound);
}

template class LstmParameters<float>;
template class LstmParameters<double>;

}  // namespace l2o
