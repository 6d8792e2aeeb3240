#include "nn/lstm_reference.hpp"

#include <cmath>

namespace l2o {

Eigen::VectorXd lstm_reference_step(const LstmParameters<double>& parameters,
                                    const Eigen::VectorXd& input, std::vector<Eigen::VectorXd>& h,
                                    std::vector<Eigen::VectorXd>& c) {
  const LstmShape& shape = parameters.shape();
  const Eigen::Index hidden = shape.hidden_size;
  const auto sigmoid = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  Eigen::VectorXd below = input;
  for (Eigen::Index layer = 0; layer < shape.num_layers; ++layer) {
    const auto w_ih = parameters.w_ih(layer);
    const auto w_hh = parameters.w_hh(layer);
    const auto b_ih = parameters.b_ih(layer);
    const auto b_hh = parameters.b_hh(layer);
    Eigen::VectorXd pre(4 * hidden);
    for (Eigen::Index row = 0; row < 4 * hidden; ++row) {
      double sum = b_ih(row) + b_hh(row);
      for (Eigen::Index k = 0; k < below.size(); ++k) sum += w_ih(row, k) * below(k);
      for (Eigen::Index k = 0; k < hidden; ++k) sum += w_hh(row, k) * h[layer](k);
      pre(row) = sum;
    }
    for (Eigen::Index k = 0; k < hidden; ++k) {
      const double in_gate = sigmoid(pre(k));
      const double forget_gate = sigmoid(pre(hidden + k));
      const double cell_gate = std::tanh(pre(2 * hidden + k));
      const double out_gate = sigmoid(pre(3 * hidden + k));
      c[layer](k) = forget_gate * c[layer](k) + in_gate * cell_gate;
      h[layer](k) = out_gate * std::tanh(c[layer](k));
    }
    below = h[layer];
  }
  Eigen::VectorXd output(shape.output_size);
  for (Eigen::Index row = 0; row < shape.output_size; ++row) {
    double sum = parameters.b_out()(row);
    for (Eigen::Index k = 0; k < hidden; ++k) sum += parameters.w_out()(row, k) * below(k);
    output(row) = sum;
  }
  return output;
}

}  // namespace l2o
