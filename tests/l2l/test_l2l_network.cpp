// gps-spec.md §16.1: gradient preprocessing and the network's hyperparameter checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "l2l/l2l_network.hpp"

namespace l2o {

TEST_CASE("preprocessing follows both branches of gps-spec.md §16.1", "[l2l]") {
  const double p = 10.0;
  Eigen::VectorXd g(6);
  g << 1.0, -std::exp(-5.0), std::exp(3.0), 0.5 * std::exp(-12.0), 0.0, -std::exp(-p);
  Eigen::MatrixXd input(6, 2);
  preprocess_gradient(g, p, input);
  Eigen::MatrixXd expected(6, 2);
  expected << 0.0, 1.0,            // ln 1 / p, sgn
      -0.5, -1.0,                  // ln e^-5 / 10
      0.3, 1.0,                    // ln e^3 / 10
      -1.0, 0.5 * std::exp(-2.0),  // small: (-1, e^p g)
      -1.0, 0.0,                   // zero gradient
      -1.0, -1.0;                  // the threshold |g| = e^-p: both branches give (-1, sgn g)
  CHECK((input - expected).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("L2L network parameters are checked", "[l2l]") {
  L2lNetworkParams params;
  CHECK_NOTHROW(params.check());
  params.output_scale = 0.0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("output_scale"));
  params = {};
  params.preprocess_p = -1.0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("preprocess_p"));
  LstmShape shape = l2l_shape();
  CHECK(shape.parameter_count() == 4 * 20 * (2 + 20) + 8 * 20 + 4 * 20 * 40 + 8 * 20 + 21);
  shape.input_size = 3;
  CHECK_THROWS_AS(L2lNetwork(shape), std::invalid_argument);
}

}  // namespace l2o
