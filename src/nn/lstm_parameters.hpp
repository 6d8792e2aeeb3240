#pragma once
// All weights of a coordinatewise LSTM in one contiguous vector (so Adam can act on it), with
// named views in PyTorch's layout. Layout, layer by layer then the read-out, each block row-major
// exactly as the PyTorch tensor of the same name (torch.nn.LSTMCell, torch.nn.Linear):
//   for layer l = 0..L-1:  W_ih[l] (4H x I_l), W_hh[l] (4H x H), b_ih[l] (4H), b_hh[l] (4H)
//   then                   W_out (O x H), b_out (O)
// with gate blocks in PyTorch's order i, f, g, o (rows kH..(k+1)H-1 of W_ih, W_hh, b_ih, b_hh).
// This is torch.nn.utils.parameters_to_vector of [LSTMCell_0, ..., LSTMCell_{L-1}, Linear].
#include <Eigen/Core>

#include "nn/lstm_shape.hpp"
#include "util/random_stream.hpp"

namespace l2o {

/// Index of a gate block in PyTorch's order: rows gate*H..(gate+1)*H-1 of W_ih, W_hh, b_ih, b_hh.
enum class LstmGate : Eigen::Index { input = 0, forget = 1, cell = 2, output = 3 };

/// Initialisation of an LSTM's weights (gps-spec.md §8.1, §16.1).
struct LstmInit {
  double weight_bound = -1.0;  ///< W_ih, W_hh ~ U(-b, b); negative: b = 1/sqrt(hidden_size) (§8.1)
  double forget_gate_bias = 1.0;  ///< b_ih's forget block; every other bias is 0 (§8.1, §16.1)
  double readout_bound = 0.0;     ///< W_out ~ U(-b, b); 0 gives §8.1's zero read-out; b_out = 0

  /// Throws std::invalid_argument naming the bad field (readout_bound < 0 or a non-finite value).
  void check() const;
};

/// The parameter vector of a coordinatewise LSTM and named views into it.
template <class Scalar>
class LstmParameters {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using RowMajorMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using MatrixView = Eigen::Map<RowMajorMatrix>;
  using ConstMatrixView = Eigen::Map<const RowMajorMatrix>;
  using VectorView = Eigen::Map<Vector>;
  using ConstVectorView = Eigen::Map<const Vector>;

  /// All-zero parameters of the given (checked) shape.
  explicit LstmParameters(const LstmShape& shape);

  /// The shape the layout follows.
  [[nodiscard]] const LstmShape& shape() const { return shape_; }
  /// The whole parameter vector (length shape().parameter_count()).
  [[nodiscard]] Vector& values() { return values_; }
  /// The whole parameter vector, read-only.
  [[nodiscard]] const Vector& values() const { return values_; }

  /// PyTorch weight_ih of layer `layer`: 4H x I_l.
  MatrixView w_ih(Eigen::Index layer) {
    return matrix(w_ih_offset(layer), 4 * hidden(), in(layer));
  }
  /// PyTorch weight_hh of layer `layer`: 4H x H.
  MatrixView w_hh(Eigen::Index layer) { return matrix(w_hh_offset(layer), 4 * hidden(), hidden()); }
  /// PyTorch bias_ih of layer `layer`: 4H.
  VectorView b_ih(Eigen::Index layer) { return vector(b_ih_offset(layer), 4 * hidden()); }
  /// PyTorch bias_hh of layer `layer`: 4H.
  VectorView b_hh(Eigen::Index layer) {
    return vector(b_ih_offset(layer) + 4 * hidden(), 4 * hidden());
  }
  /// Read-out weight (PyTorch Linear.weight): O x H.
  MatrixView w_out() { return matrix(shape_.readout_offset(), shape_.output_size, hidden()); }
  /// Read-out bias: O.
  VectorView b_out() { return vector(b_out_offset(), shape_.output_size); }

  /// Read-only PyTorch weight_ih of layer `layer`: 4H x I_l.
  [[nodiscard]] ConstMatrixView w_ih(Eigen::Index layer) const {
    return cmatrix(w_ih_offset(layer), 4 * hidden(), in(layer));
  }
  /// Read-only PyTorch weight_hh of layer `layer`: 4H x H.
  [[nodiscard]] ConstMatrixView w_hh(Eigen::Index layer) const {
    return cmatrix(w_hh_offset(layer), 4 * hidden(), hidden());
  }
  /// Read-only PyTorch bias_ih of layer `layer`: 4H.
  [[nodiscard]] ConstVectorView b_ih(Eigen::Index layer) const {
    return cvector(b_ih_offset(layer), 4 * hidden());
  }
  /// Read-only PyTorch bias_hh of layer `layer`: 4H.
  [[nodiscard]] ConstVectorView b_hh(Eigen::Index layer) const {
    return cvector(b_ih_offset(layer) + 4 * hidden(), 4 * hidden());
  }
  /// Read-only read-out weight: O x H.
  [[nodiscard]] ConstMatrixView w_out() const {
    return cmatrix(shape_.readout_offset(), shape_.output_size, hidden());
  }
  /// Read-only read-out bias: O.
  [[nodiscard]] ConstVectorView b_out() const {
    return cvector(b_out_offset(), shape_.output_size);
  }

  /// Draws the weights from `stream` in layout order (W_ih, W_hh, biases, ... W_out), per `init`.
  void initialize(RandomStream& stream, const LstmInit& init);

  /// The same parameters in another scalar type (e.g. double-trained, float at test time).
  template <class Other>
  [[nodiscard]] LstmParameters<Other> cast() const {
    LstmParameters<Other> result(shape_);
    result.values() = values_.template cast<Other>();
    return result;
  }

 private:
  [[nodiscard]] Eigen::Index hidden() const { return shape_.hidden_size; }
  [[nodiscard]] Eigen::Index in(Eigen::Index layer) const { return shape_.layer_input_size(layer); }
  [[nodiscard]] Eigen::Index w_ih_offset(Eigen::Index layer) const {
    return shape_.layer_offset(layer);
  }
  [[nodiscard]] Eigen::Index w_hh_offset(Eigen::Index layer) const {
    return w_ih_offset(layer) + 4 * hidden() * in(layer);
  }
  [[nodiscard]] Eigen::Index b_ih_offset(Eigen::Index layer) const {
    return w_hh_offset(layer) + 4 * hidden() * hidden();
  }
  [[nodiscard]] Eigen::Index b_out_offset() const {
    return shape_.readout_offset() + shape_.output_size * hidden();
  }
  MatrixView matrix(Eigen::Index offset, Eigen::Index rows, Eigen::Index cols) {
    return MatrixView(values_.data() + offset, rows, cols);
  }
  VectorView vector(Eigen::Index offset, Eigen::Index size) {
    return VectorView(values_.data() + offset, size);
  }
  [[nodiscard]] ConstMatrixView cmatrix(Eigen::Index offset, Eigen::Index rows,
                                        Eigen::Index cols) const {
    return ConstMatrixView(values_.data() + offset, rows, cols);
  }
  [[nodiscard]] ConstVectorView cvector(Eigen::Index offset, Eigen::Index size) const {
    return ConstVectorView(values_.data() + offset, size);
  }

  LstmShape shape_;
  Vector values_;
};

extern template class LstmParameters<float>;
extern template class LstmParameters<double>;

}  // namespace l2o
