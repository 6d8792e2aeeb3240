#include "nn/lstm_state.hpp"

#include <stdexcept>
#include <string>

namespace l2o {

template <class Scalar>
LstmState<Scalar>::LstmState(const LstmShape& shape, Eigen::Index batch_size)
    : shape_(shape), batch_size_(batch_size) {
  shape_.check();
  if (batch_size < 1) {
    throw std::invalid_argument("LstmState: batch_size must be >= 1, got " +
                                std::to_string(batch_size));
  }
  const Eigen::Index storage_rows = (batch_size + 15) / 16 * 16;
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    layer_rows_.push_back(Matrix::Zero(storage_rows, h_column(layer) + shape_.hidden_size));
    layer_rows_.back().col(h_column(layer) - 1).setOnes();
    c_.push_back(Matrix::Zero(storage_rows, shape_.hidden_size));
  }
}

template <class Scalar>
void LstmState<Scalar>::reset() {
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    h(layer).setZero();
    c(layer).setZero();
  }
}

template <class Scalar>
void LstmState<Scalar>::reset_rows(std::span<const Eigen::Index> rows) {
  for (const Eigen::Index row : rows) {
    if (row < 0 || row >= batch_size()) {
      throw std::out_of_range("LstmState::reset_rows: row " + std::to_string(row) +
                              " outside [0, " + std::to_string(batch_size()) + ")");
    }
  }
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    for (const Eigen::Index row : rows) {
      h(layer).row(row).setZero();
      c(layer).row(row).setZero();
    }
  }
}

template <class Scalar>
void LstmState<Scalar>::save(StateWriter& out) const {
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    out.put(h(layer));
    out.put(c(layer));
  }
}

template <class Scalar>
void LstmState<Scalar>::restore(StateReader& in) {
  for (Eigen::Index layer = 0; layer < shape_.num_layers; ++layer) {
    in.get(h(layer));
    in.get(c(layer));
  }
}

template class LstmState<float>;
template class LstmState<double>;

}  // namespace l2o
