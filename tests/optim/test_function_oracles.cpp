// The test objectives' gradients against central finite differences (the reference tests trust
// them, and the line searches use their losses).
#include <catch2/catch.hpp>

#include "optim/function_oracles.hpp"

namespace l2o::test {
namespace {

/// Largest |analytic - central difference| over the coordinates, relative to max(1, |gradient|).
double gradient_error(MinibatchOracle& oracle, const Eigen::VectorXd& x) {
  Eigen::VectorXd gradient(x.size());
  oracle.loss_gradient(x, gradient);
  const double h = 1e-6;
  double error = 0.0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    Eigen::VectorXd plus = x, minus = x;
    plus(i) += h;
    minus(i) -= h;
    const double difference = (oracle.loss(plus) - oracle.loss(minus)) / (2.0 * h);
    error = std::max(error, std::abs(difference - gradient(i)));
  }
  return error / std::max(1.0, gradient.lpNorm<Eigen::Infinity>());
}

}  // namespace

TEST_CASE("test oracles' gradients match finite differences", "[optim]") {
  // Central differences with h = 1e-6: truncation ~h^2 f''' and rounding ~eps |f| / h, both
  // below 1e-7 for these moderate-size functions.
  const Eigen::Index n = 6;
  LogCoshQuadraticOracle log_cosh(spd_matrix(Eigen::VectorXd::LinSpaced(n, 0.5, 3.0), 41),
                                  normal_vector(n, 42), 0.7);
  CHECK(gradient_error(log_cosh, 2.0 * normal_vector(n, 43)) < 1e-7);
  RosenbrockOracle rosenbrock(n);
  CHECK(gradient_error(rosenbrock, normal_vector(n, 44)) < 1e-7);
  Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
  CHECK(rosenbrock.loss(ones) == 0.0);
}

}  // namespace l2o::test
