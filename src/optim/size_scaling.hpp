#pragma once
// A learning rate that follows the size of a parameter group (issue 19 item 4): a group of n
// parameters gets the factor (n / n_ref)^(-a), n_ref its size in the net the rate was tuned or
// meta-trained on. a = 0 is the factor 1 exactly (pow(x, -0.0) = 1), so a tuned optimizer stays a
// member; a > 0 shrinks the rate of wider layers, as the overshoot of a rate tuned on a 48-48 net
// on a 100-200 net asks for (docs/results/gps.md).
#include <Eigen/Core>
#include <cmath>

namespace l2o {

/// The size rule of one group's rate.
struct SizeScaling {
  double exponent = 0.0;        ///< a (finite)
  double reference_size = 1.0;  ///< n_ref > 0

  /// (size / n_ref)^(-a).
  [[nodiscard]] double factor(Eigen::Index size) const {
    return std::pow(static_cast<double>(size) / reference_size, -exponent);
  }
  /// Whether a is finite and n_ref finite and > 0.
  [[nodiscard]] bool valid() const {
    return std::isfinite(exponent) && std::isfinite(reference_size) && reference_size > 0.0;
  }
};

}  // namespace l2o
