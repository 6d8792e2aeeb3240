#pragma once
// The delivered L2L optimizer in an HDF5 group (docs/hdf5-layout.md, "/model"): phi in PyTorch's
// layout (nn/lstm_parameters.hpp) with its LSTM shape and the §16.1 hyperparameters, so the file
// alone rebuilds the optimizer.
#include <memory>
#include <string>

#include "io/hdf5_file.hpp"
#include "l2l/l2l_network.hpp"
#include "l2l/l2l_optimizer.hpp"
#include "nn/lstm_parameters.hpp"

namespace l2o {

/// Value of the `method` attribute of an L2L model group.
inline constexpr const char* kL2lMethod = "l2l";

/// Attributes input_size, hidden_size, num_layers, output_size of `shape` on `group`.
void write_lstm_shape(const Hdf5Group& group, const LstmShape& shape);
/// The shape written by write_lstm_shape; throws InputError naming the attribute if missing or
/// not positive.
LstmShape read_lstm_shape(const Hdf5Group& group);

/// Writes @method = "l2l", the shape, @preprocess_p, @output_scale and the dataset `parameters`.
void write_l2l_model(const Hdf5Group& group, const LstmParameters<double>& parameters,
                     const L2lNetworkParams& params);

/// The optimizer stored by write_l2l_model. Throws InputError naming the file and object if
/// something is missing, the parameter count does not match the shape, the shape is not an L2L
/// network (2 inputs, 1 output) or a value is out of range.
std::unique_ptr<L2lOptimizer> read_l2l_model(const Hdf5Group& group);

}  // namespace l2o
