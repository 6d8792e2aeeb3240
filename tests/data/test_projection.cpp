// The paper's preprocessing: seeded Gaussian projection, standardised with training statistics.
#include <catch2/catch.hpp>
#include <cmath>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "test_support.hpp"

TEST_CASE("projected MNIST has zero mean and unit variance per dimension on train", "[data]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "mnist", "train");
  const l2o::RandomProjection projection(train, 48, 7);
  const auto data = projection.apply(train);
  REQUIRE(data.features.rows() == 60000);
  REQUIRE(data.features.cols() == 48);
  const Eigen::RowVectorXd mean = data.features.colwise().mean();
  const Eigen::RowVectorXd var = (data.features.rowwise() - mean).array().square().colwise().mean();
  CHECK(mean.cwiseAbs().maxCoeff() < 1e-12);
  CHECK((var.array() - 1.0).abs().maxCoeff() < 1e-12);

  // The test split uses the training statistics: close to, but not exactly, standardised.
  const auto test = projection.apply(l2o::load_dataset(l2o::test::data_dir(), "mnist", "test"));
  const Eigen::RowVectorXd test_mean = test.features.colwise().mean();
  CHECK(test_mean.cwiseAbs().maxCoeff() > 1e-6);
  CHECK(test_mean.cwiseAbs().maxCoeff() < 0.1);
}

TEST_CASE("projection entries are N(0, 1/pixels) and depend only on the seed", "[data]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "fer2013", "test");
  const l2o::RandomProjection a(train, 100, 1), b(train, 100, 1), c(train, 100, 2);
  CHECK(a.matrix() == b.matrix());
  CHECK(a.matrix() != c.matrix());
  const double n = static_cast<double>(a.matrix().size());  // 2304 * 100 entries
  const double pixels = 2304.0;
  const double mean = a.matrix().mean();
  const double var = (a.matrix().array() - mean).square().sum() / n;
  // Mean has standard error sqrt(1/pixels / n); variance of a variance estimate ~ 2 sigma^4 / n.
  CHECK(std::abs(mean) < 5.0 * std::sqrt(1.0 / pixels / n));
  CHECK(std::abs(var * pixels - 1.0) < 5.0 * std::sqrt(2.0 / n));
}

TEST_CASE("applying a projection to images of another size is an error", "[data]") {
  const auto mnist = l2o::load_dataset(l2o::test::data_dir(), "mnist", "test");
  const auto faces = l2o::load_dataset(l2o::test::data_dir(), "fer2013", "test");
  const l2o::RandomProjection projection(mnist, 48, 1);
  CHECK_THROWS_WITH(projection.apply(faces),
                    "fer2013/test: examples have 2304 pixels, the projection expects 784");
}
