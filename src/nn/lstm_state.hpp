#pragma once
// The memories (h, c) of every coordinate of a batch, for every layer of a coordinatewise LSTM
// (gps-spec.md §8.1, §16.1: every coordinate has its own memory). Carried across engine calls.
#include <Eigen/Core>
#include <span>
#include <vector>

#include "nn/lstm_shape.hpp"
#include "util/state_vector.hpp"

namespace l2o {

template <class Scalar>
class LstmEngine;

/// Per-coordinate LSTM memories of a batch of N coordinates (row n = coordinate n).
template <class Scalar>
class LstmState {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  /// Zero memories for `batch_size` coordinates of an LSTM of shape `shape`.
  LstmState(const LstmShape& shape, Eigen::Index batch_size);

  /// Number of coordinates N.
  [[nodiscard]] Eigen::Index batch_size() const { return batch_size_; }
  /// The shape the memories belong to.
  [[nodiscard]] const LstmShape& shape() const { return shape_; }
  /// Hidden output h of layer `layer`: N x H.
  Eigen::Block<Matrix> h(Eigen::Index layer) {
    return {layer_rows_[layer], 0, h_column(layer), batch_size(), shape_.hidden_size};
  }
  /// Read-only hidden output h of layer `layer`: N x H.
  [[nodiscard]] Eigen::Block<const Matrix> h(Eigen::Index layer) const {
    return {layer_rows_[layer], 0, h_column(layer), batch_size(), shape_.hidden_size};
  }
  /// Cell memory c of layer `layer`: N x H.
  Eigen::Block<Matrix> c(Eigen::Index layer) {
    return {c_[layer], 0, 0, batch_size(), shape_.hidden_size};
  }
  /// Read-only cell memory c of layer `layer`: N x H.
  [[nodiscard]] Eigen::Block<const Matrix> c(Eigen::Index layer) const {
    return {c_[layer], 0, 0, batch_size(), shape_.hidden_size};
  }

  /// Zero memories for every coordinate (a new run, gps-spec.md §15 step 1).
  void reset();
  /// Zero memories for the listed coordinates only; throws std::out_of_range on a bad index.
  void reset_rows(std::span<const Eigen::Index> rows);
  /// Appends every layer's h and c (state_vector.hpp).
  void save(StateWriter& out) const;
  /// Reads back what save() wrote for the same shape and batch size.
  void restore(StateReader& in);

 private:
  friend class LstmEngine<Scalar>;
  // Column of h in a layer's row matrix [input | 1 | h].
  [[nodiscard]] Eigen::Index h_column(Eigen::Index layer) const {
    return shape_.layer_input_size(layer) + 1;
  }

  LstmShape shape_;
  Eigen::Index batch_size_;
  // Storage has N rounded up to a multiple of 16 rows (64 bytes of float), so with row blocks of
  // a multiple of 16 every column segment starts aligned and Eigen's vectorized nonlinearities
  // need no scalar head or tail (which dominated the step for short columns). The padding rows
  // are never read.
  // Per layer, the GEMM operand [x | 1 | h] (N x (I_l + 1 + H)): holding h inside it, next to the
  // constant column that multiplies the bias, lets one GEMM per step form all gate pre-activations.
  std::vector<Matrix> layer_rows_;
  std::vector<Matrix> c_;  // per layer, N x H
};

extern template class LstmState<float>;
extern template class LstmState<double>;

}  // namespace l2o
