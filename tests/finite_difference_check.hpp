#pragma once
// The gradient-check criterion shared by the LSTM and policy tests (gps-spec.md §17 P1).
#include <Eigen/Core>
#include <catch2/catch.hpp>

namespace l2o::test {

/// Componentwise relative error with a floor at 1e-3 of the largest component, so entries that are
/// zero up to rounding do not divide by ~0, and the normwise relative error: both below 1e-6.
inline void check_against_finite_differences(const Eigen::VectorXd& analytic,
                                             const Eigen::VectorXd& numeric) {
  const double floor = 1e-3 * numeric.cwiseAbs().maxCoeff();
  const double componentwise =
      ((analytic - numeric).array().abs() / numeric.array().abs().max(floor)).maxCoeff();
  const double normwise = (analytic - numeric).norm() / numeric.norm();
  INFO("componentwise " << componentwise << ", normwise " << normwise);
  CHECK(componentwise < 1e-6);
  CHECK(normwise < 1e-6);
}

}  // namespace l2o::test
