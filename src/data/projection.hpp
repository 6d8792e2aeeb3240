#pragma once
// The paper's preprocessing (Li & Malik 2017 §4): pixels scaled to [0,1] (8-bit data; real-valued
// data as they are) and flattened,
// multiplied by a seeded Gaussian random projection to `input_dim` dimensions, then every
// projected dimension standardised to zero mean and unit variance with training-set statistics.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"

namespace l2o {

/// Examples as rows of projected, standardised features, with their labels.
struct ProjectedData {
  Eigen::MatrixXd features;  ///< count x input_dim
  std::vector<int> labels;   ///< count labels in [0, num_classes)
  int num_classes = 0;
};

/// Peak bytes RandomProjection and apply() allocate for `train`: the matrix, the projected
/// training set and its standardised copy, one block of converted rows.
std::uint64_t projection_bytes(const Dataset& train, int input_dim);

/// Throws InputError naming task.input_dim and the bytes needed if projection_bytes() exceeds
/// the memory available now; call before constructing the projection.
void require_projection_memory(const Dataset& train, int input_dim);

/// A fitted random projection: the matrix and the training-set statistics of its output.
class RandomProjection {
 public:
  /// Draws the (pixels x input_dim) matrix with i.i.d. N(0, 1/pixels) entries from stream
  /// (seed, "projection"), then fits the per-dimension mean and standard deviation on `train`.
  RandomProjection(const Dataset& train, int input_dim, std::uint64_t seed);

  /// Projects and standardises any split of the same data set (train statistics).
  [[nodiscard]] ProjectedData apply(const Dataset& split) const;

  [[nodiscard]] const Eigen::MatrixXd& matrix() const { return matrix_; }
  [[nodiscard]] const Eigen::RowVectorXd& mean() const { return mean_; }
  [[nodiscard]] const Eigen::RowVectorXd& stddev() const { return stddev_; }

 private:
  [[nodiscard]] Eigen::MatrixXd project(const Dataset& split) const;

  Eigen::MatrixXd matrix_;     ///< pixels x input_dim
  Eigen::RowVectorXd mean_;    ///< training-set mean of each projected dimension
  Eigen::RowVectorXd stddev_;  ///< training-set standard deviation (population) of each
};

}  // namespace l2o
