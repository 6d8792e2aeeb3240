#pragma once
// Shape of a coordinatewise LSTM: a stack of LSTM layers plus a linear read-out, applied to every
// coordinate of the optimisee with shared weights (gps-spec.md §8.1 policy, §16.1 L2L baseline).
#include <Eigen/Core>

namespace l2o {

/// Sizes of a stacked LSTM with linear read-out; defaults are the GPS policy (gps-spec.md §8.1).
struct LstmShape {
  Eigen::Index input_size = 3;     ///< inputs per coordinate (§8.1: the 3 observations)
  Eigen::Index hidden_size = 128;  ///< cells per layer (§8.1: 128; L2L §16.1: 20)
  Eigen::Index num_layers = 1;     ///< stacked layers (§8.1: 1; L2L §16.1: 2)
  Eigen::Index output_size = 1;    ///< read-out outputs per coordinate (the step)

  /// Throws std::invalid_argument naming the first non-positive field.
  void check() const;
  /// Inputs of layer `layer`: input_size for layer 0, hidden_size above it.
  [[nodiscard]] Eigen::Index layer_input_size(Eigen::Index layer) const {
    return layer == 0 ? input_size : hidden_size;
  }
  /// Parameters of one layer: W_ih, W_hh, b_ih, b_hh (PyTorch LSTMCell).
  [[nodiscard]] Eigen::Index layer_parameter_count(Eigen::Index layer) const {
    return 4 * hidden_size * (layer_input_size(layer) + hidden_size) + 8 * hidden_size;
  }
  /// Offset of layer `layer`'s W_ih in the parameter vector (layers first, read-out last).
  [[nodiscard]] Eigen::Index layer_offset(Eigen::Index layer) const;
  /// Offset of the read-out weight W_out in the parameter vector.
  [[nodiscard]] Eigen::Index readout_offset() const { return layer_offset(num_layers); }
  /// Length of the parameter vector.
  [[nodiscard]] Eigen::Index parameter_count() const {
    return readout_offset() + output_size * hidden_size + output_size;
  }
};

}  // namespace l2o
