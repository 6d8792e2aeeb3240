#include "data/projection.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/random_stream.hpp"

namespace l2o {

RandomProjection::RandomProjection(const Dataset& train, int input_dim, std::uint64_t seed) {
  if (input_dim < 1) throw InputError("task.input_dim must be >= 1");
  const auto pixels = train.example_size();
  matrix_.resize(pixels, input_dim);
  RandomStream stream(seed, "projection");
  const double scale = 1.0 / std::sqrt(static_cast<double>(pixels));
  for (Eigen::Index j = 0; j < matrix_.cols(); ++j)
    for (Eigen::Index i = 0; i < matrix_.rows(); ++i) matrix_(i, j) = scale * stream.normal();
  const Eigen::MatrixXd projected = project(train);
  mean_ = projected.colwise().mean();
  stddev_ = ((projected.rowwise() - mean_).array().square().colwise().mean()).sqrt();
  for (Eigen::Index j = 0; j < stddev_.size(); ++j)
    if (!(stddev_[j] > 0.0))
      throw InputError(train.name + ": projected dimension " + std::to_string(j) +
                       " has zero variance; the data set is degenerate");
}

Eigen::MatrixXd RandomProjection::project(const Dataset& split) const {
  if (split.example_size() != matrix_.rows())
    throw InputError(split.name + ": examples have " + std::to_string(split.example_size()) +
                     " pixels, the projection expects " + std::to_string(matrix_.rows()));
  const Eigen::Map<
      const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
      raw(split.pixels.data(), split.count, split.example_size());
  Eigen::MatrixXd projected(split.count, matrix_.cols());
  // Blocks of rows keep the converted pixels cache-sized; the product is deterministic.
  constexpr Eigen::Index kBlock = 2048;
  for (Eigen::Index start = 0; start < split.count; start += kBlock) {
    const Eigen::Index rows = std::min<Eigen::Index>(kBlock, split.count - start);
    const Eigen::MatrixXd scaled = raw.middleRows(start, rows).cast<double>() / 255.0;
    projected.middleRows(start, rows).noalias() = scaled * matrix_;
  }
  return projected;
}

ProjectedData RandomProjection::apply(const Dataset& split) const {
  ProjectedData out;
  out.features = (project(split).rowwise() - mean_).array().rowwise() / stddev_.array();
  out.labels.assign(split.labels.begin(), split.labels.end());
  out.num_classes = split.num_classes;
  return out;
}

}  // namespace l2o
