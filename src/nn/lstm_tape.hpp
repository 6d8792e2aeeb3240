#pragma once
// Activations recorded by LstmEngine::step during a training forward pass, consumed by
// LstmEngine::backward (backpropagation through time). Storage is kept across clear(), so a
// tape reused for equally long truncations allocates only during the first one.
#include <Eigen/Core>
#include <vector>

namespace l2o {

template <class Scalar>
class LstmEngine;

/// Recorded forward steps of a coordinatewise LSTM (opaque; filled and read by LstmEngine).
template <class Scalar>
class LstmTape {
 public:
  /// Number of recorded steps.
  [[nodiscard]] Eigen::Index steps() const { return steps_; }
  /// Coordinates per recorded step (0 while empty).
  [[nodiscard]] Eigen::Index batch_size() const { return steps_ == 0 ? 0 : batch_size_; }
  /// Forgets the recorded steps, keeping the storage for the next recording.
  void clear() { steps_ = 0; }

 private:
  friend class LstmEngine<Scalar>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  // What backpropagation through one step needs, per layer: the GEMM operand [x | 1 | h_prev],
  // c_prev, the activated gates (i, f, g, o) and tanh(c); and the read-out operand [1 | h_top].
  struct Record {
    std::vector<Matrix> layer_rows, c_prev, gates, tanh_c;
    Matrix readout_rows;
  };
  std::vector<Record> records_;
  Eigen::Index steps_ = 0;
  Eigen::Index batch_size_ = 0;
};

}  // namespace l2o
