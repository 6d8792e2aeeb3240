#include "data/projection.hpp"

#include <cmath>

#include "util/available_memory.hpp"
#include "util/error.hpp"
#include "util/random_stream.hpp"

namespace l2o {
namespace {

// Rows converted to double at a time: keeps them cache-sized; the product is deterministic.
constexpr Eigen::Index kBlock = 2048;

// projected = (raw / scale) * matrix over blocks of rows, raw `count` x `pixels` row-major.
template <class Pixel>
void project_rows(const Pixel* data, Eigen::Index count, Eigen::Index pixels, double scale,
                  const Eigen::MatrixXd& matrix, Eigen::MatrixXd& projected) {
  const Eigen::Map<const Eigen::Matrix<Pixel, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> raw(
      data, count, pixels);
  for (Eigen::Index start = 0; start < count; start += kBlock) {
    const Eigen::Index rows = std::min<Eigen::Index>(kBlock, count - start);
    const Eigen::MatrixXd scaled = raw.middleRows(start, rows).template cast<double>() / scale;
    projected.middleRows(start, rows).noalias() = scaled * matrix;
  }
}

}  // namespace

std::uint64_t projection_bytes(const Dataset& train, int input_dim) {
  const auto pixels = static_cast<std::uint64_t>(train.example_size());
  const auto count = static_cast<std::uint64_t>(train.count);
  const auto d = static_cast<std::uint64_t>(std::max(input_dim, 0));
  return sizeof(double) *
         (pixels * d + 2 * count * d + std::min<std::uint64_t>(count, kBlock) * pixels);
}

void require_projection_memory(const Dataset& train, int input_dim) {
  require_memory(projection_bytes(train, input_dim),
                 "task.input_dim = " + std::to_string(input_dim) + " on " + train.name + " (" +
                     std::to_string(train.count) + " examples of " +
                     std::to_string(train.example_size()) +
                     " values): the random projection and projected data",
                 "lower task.input_dim or use a smaller data set");
}

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
  Eigen::MatrixXd projected(split.count, matrix_.cols());
  if (split.real_valued)
    project_rows(split.real_pixels.data(), split.count, split.example_size(), 1.0, matrix_,
                 projected);
  else
    project_rows(split.pixels.data(), split.count, split.example_size(), 255.0, matrix_, projected);
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
