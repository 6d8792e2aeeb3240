#pragma once
// Helpers shared by the LSTM engine tests: random parameters, inputs and states from keyed streams.
#include <Eigen/Core>
#include <cstdint>

#include "nn/lstm_parameters.hpp"
#include "nn/lstm_state.hpp"
#include "util/random_stream.hpp"

namespace l2o::test {

/// rows x cols matrix of N(0, scale^2) draws from stream (seed, purpose).
inline Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, double scale,
                                     std::uint64_t seed, const char* purpose) {
  RandomStream stream(seed, purpose);
  Eigen::MatrixXd result(rows, cols);
  for (Eigen::Index i = 0; i < result.size(); ++i) result.data()[i] = scale * stream.normal();
  return result;
}

/// Parameters with every entry (biases included) drawn from N(0, scale^2), so no gate is trivial.
inline LstmParameters<double> random_parameters(const LstmShape& shape, double scale,
                                                std::uint64_t seed) {
  LstmParameters<double> parameters(shape);
  parameters.values() =
      random_matrix(shape.parameter_count(), 1, scale, seed, "test-lstm-parameters");
  return parameters;
}

/// A state with random h in (-1, 1) and c ~ N(0, 1), as after some steps of a run.
inline void randomize_state(LstmState<double>& state, std::uint64_t seed) {
  const LstmShape& shape = state.shape();
  for (Eigen::Index layer = 0; layer < shape.num_layers; ++layer) {
    const auto n = state.batch_size();
    state.h(layer) = random_matrix(n, shape.hidden_size, 1.0, seed + 2 * layer, "test-lstm-h")
                         .array()
                         .tanh()
                         .matrix();
    state.c(layer) = random_matrix(n, shape.hidden_size, 1.0, seed + 2 * layer + 1, "test-lstm-c");
  }
}

}  // namespace l2o::test
