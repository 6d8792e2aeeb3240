#include "gps/features/observation_normalisation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

Eigen::MatrixXd observation_sequences(const std::vector<Eigen::MatrixXd>& per_step) {
  if (per_step.empty()) throw std::invalid_argument("observation_sequences: no time steps");
  const Eigen::Index points = per_step.front().rows();
  const auto steps = static_cast<Eigen::Index>(per_step.size());
  Eigen::MatrixXd sequences(points, steps * kObservationDim);
  for (Eigen::Index t = 0; t < steps; ++t) {
    const Eigen::MatrixXd& o = per_step[t];
    if (o.rows() != points || o.cols() != kObservationDim) {
      throw std::invalid_argument("observation_sequences: step " + std::to_string(t) + " is " +
                                  std::to_string(o.rows()) + " x " + std::to_string(o.cols()) +
                                  ", expected " + std::to_string(points) + " x 3");
    }
    sequences.middleCols(t * kObservationDim, kObservationDim) = o;
  }
  return sequences;
}

template <class Scalar>
void ObservationNormalisation::apply(
    const Eigen::Ref<const Eigen::MatrixXd>& observations,
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& normalised) const {
  if (observations.cols() % kObservationDim != 0) {
    throw std::invalid_argument("ObservationNormalisation::apply: observations have " +
                                std::to_string(observations.cols()) +
                                " columns, expected a multiple of 3 (3 per step)");
  }
  normalised.resize(observations.rows(), observations.cols());
  for (Eigen::Index column = 0; column < observations.cols(); ++column) {
    const Eigen::Index i = column % kObservationDim;
    normalised.col(column) =
        (scale(i) * observations.col(column).array() + offset(i)).template cast<Scalar>().matrix();
  }
}

template void ObservationNormalisation::apply<float>(const Eigen::Ref<const Eigen::MatrixXd>&,
                                                     Eigen::MatrixXf&) const;
template void ObservationNormalisation::apply<double>(const Eigen::Ref<const Eigen::MatrixXd>&,
                                                      Eigen::MatrixXd&) const;

void ObservationNormalisation::check() const {
  if (!(scale.array() > 0.0).all() || !scale.allFinite() || !offset.allFinite()) {
    throw std::invalid_argument(
        "ObservationNormalisation: scales must be finite and > 0, offsets finite");
  }
}

void ObservationStatistics::add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& observations) {
  if (observations.cols() % kObservationDim != 0) {
    throw std::invalid_argument("ObservationStatistics::add_rollout: observations have " +
                                std::to_string(observations.cols()) +
                                " columns, expected a multiple of 3 (3 per step)");
  }
  const Eigen::Index steps = observations.cols() / kObservationDim;
  // U = [o_t | 1] stacked over steps: one Gram product per step, rounded once into the sums.
  Eigen::MatrixXd rows(observations.rows(), kObservationDim + 1);
  rows.col(kObservationDim).setOnes();
  const Eigen::MatrixXd no_cross(0, kObservationDim + 1);
  for (Eigen::Index t = 0; t < steps; ++t) {
    rows.leftCols(kObservationDim) = observations.middleCols(t * kObservationDim, kObservationDim);
    sums_.add(0, rows.transpose() * rows, no_cross);
  }
}

ObservationNormalisation ObservationStatistics::normalisation() const {
  Eigen::MatrixXd gram(kObservationDim + 1, kObservationDim + 1);
  sums_.gram(0, 0, gram);
  const double count = gram(kObservationDim, kObservationDim);
  if (!(count > 0.0)) {
    throw std::invalid_argument("ObservationStatistics::normalisation: no observations added");
  }
  ObservationNormalisation result;
  for (int i = 0; i < kObservationDim; ++i) {
    const double mean = gram(i, kObservationDim) / count;
    const double variance = std::max(gram(i, i) / count - mean * mean, 0.0);
    result.scale(i) = 1.0 / std::max(std::sqrt(variance), 1e-6);
    result.offset(i) = -mean * result.scale(i);
  }
  return result;
}

}  // namespace l2o
