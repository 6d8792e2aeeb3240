#include "gps/features/observation_normalisation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

Eigen::MatrixXd observation_sequences(const std::vector<Eigen::MatrixXd>& per_step) {
  if (per_step.empty()) throw std::invalid_argument("observation_sequences: no time steps");
  const Eigen::Index points = per_step.front().rows();
  const Eigen::Index m = per_step.front().cols();
  const auto steps = static_cast<Eigen::Index>(per_step.size());
  Eigen::MatrixXd sequences(points, steps * m);
  for (Eigen::Index t = 0; t < steps; ++t) {
    const Eigen::MatrixXd& o = per_step[t];
    if (o.rows() != points || o.cols() != m) {
      throw std::invalid_argument("observation_sequences: step " + std::to_string(t) + " is " +
                                  std::to_string(o.rows()) + " x " + std::to_string(o.cols()) +
                                  ", expected " + std::to_string(points) + " x " +
                                  std::to_string(m));
    }
    sequences.middleCols(t * m, m) = o;
  }
  return sequences;
}

template <class Scalar>
void ObservationNormalisation::apply(
    const Eigen::Ref<const Eigen::MatrixXd>& observations,
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& normalised) const {
  const Eigen::Index m = scale.size();
  if (observations.cols() % m != 0) {
    throw std::invalid_argument("ObservationNormalisation::apply: observations have " +
                                std::to_string(observations.cols()) +
                                " columns, expected a multiple of " + std::to_string(m));
  }
  normalised.resize(observations.rows(), observations.cols());
  for (Eigen::Index column = 0; column < observations.cols(); ++column) {
    const Eigen::Index i = column % m;
    normalised.col(column) =
        (scale(i) * observations.col(column).array() + offset(i)).template cast<Scalar>().matrix();
  }
}

template void ObservationNormalisation::apply<float>(const Eigen::Ref<const Eigen::MatrixXd>&,
                                                     Eigen::MatrixXf&) const;
template void ObservationNormalisation::apply<double>(const Eigen::Ref<const Eigen::MatrixXd>&,
                                                      Eigen::MatrixXd&) const;

void ObservationNormalisation::check() const {
  if (scale.size() < 1 || offset.size() != scale.size() || !(scale.array() > 0.0).all() ||
      !scale.allFinite() || !offset.allFinite()) {
    throw std::invalid_argument(
        "ObservationNormalisation: as many offsets as scales, scales finite and > 0, offsets "
        "finite");
  }
}

void ObservationStatistics::add_rollout(const Eigen::Ref<const Eigen::MatrixXd>& observations) {
  const Eigen::Index m = sums_.u_columns() - 1;
  if (observations.cols() % m != 0) {
    throw std::invalid_argument("ObservationStatistics::add_rollout: observations have " +
                                std::to_string(observations.cols()) +
                                " columns, expected a multiple of " + std::to_string(m));
  }
  const Eigen::Index steps = observations.cols() / m;
  // U = [o_t | 1] stacked over steps: one Gram product per step, rounded once into the sums.
  Eigen::MatrixXd rows(observations.rows(), m + 1);
  rows.col(m).setOnes();
  const Eigen::MatrixXd no_cross(0, m + 1);
  for (Eigen::Index t = 0; t < steps; ++t) {
    rows.leftCols(m) = observations.middleCols(t * m, m);
    sums_.add(0, rows.transpose() * rows, no_cross);
  }
}

ObservationNormalisation ObservationStatistics::normalisation() const {
  const int m = sums_.u_columns() - 1;
  Eigen::MatrixXd gram(m + 1, m + 1);
  sums_.gram(0, 0, gram);
  const double count = gram(m, m);
  if (!(count > 0.0)) {
    throw std::invalid_argument("ObservationStatistics::normalisation: no observations added");
  }
  ObservationNormalisation result{Eigen::VectorXd(m), Eigen::VectorXd(m)};
  for (int i = 0; i < m; ++i) {
    const double mean = gram(i, m) / count;
    const double variance = std::max(gram(i, i) / count - mean * mean, 0.0);
    result.scale(i) = 1.0 / std::max(std::sqrt(variance), 1e-6);
    result.offset(i) = -mean * result.scale(i);
  }
  return result;
}

}  // namespace l2o
