// Features of gps-spec.md §2: F1 (worked table), F2 (active sets), F3 (ring buffer vs a naive
// full-history implementation written straight from the formulas).
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "gps/feature_history.hpp"
#include "gps/features.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::FeatureHistory;
using l2o::kStateDim;

// Full-history reference: keeps every iterate, gradient and loss; evaluates §2.1-§2.3 literally.
struct NaiveFeatures {
  std::vector<Eigen::VectorXd> x, g;
  std::vector<double> f;

  Eigen::VectorXd average(const std::vector<Eigen::VectorXd>& v, int i) const {
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(v[0].size());
    for (int k = std::max(i - 2, 0); k <= i; ++k) sum += v[k];
    return sum / static_cast<double>(i - std::max(i - 2, 0) + 1);
  }
  double average_loss(int i) const {
    double sum = 0.0;
    for (int k = std::max(i - 2, 0); k <= i; ++k) sum += f[k];
    return sum / static_cast<double>(i - std::max(i - 2, 0) + 1);
  }
  Eigen::MatrixXd phi(int t) const {
    const auto n = x[0].size();
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, kStateDim);
    const int r = t % 5;
    for (int i = 0; i < 25; ++i) {
      if (t < 5 * i + 5) continue;
      const double older = average_loss(t - 5 * i - 5);
      out.col(i).setConstant((average_loss(t - 5 * i) - older) / l2o::guarded_objective(older));
    }
    for (int i = 0; i < 26; ++i) {
      if (t < 5 * i) continue;
      const Eigen::VectorXd num = average(g, t - 5 * i);
      const Eigen::VectorXd den = average(g, std::max(t - 5 * i - 5, r));
      for (Eigen::Index j = 0; j < n; ++j) out(j, 25 + i) = num(j) / (std::abs(den(j)) + 1.0);
    }
    for (int i = 0; i < 25; ++i) {
      if (t < 5 * i + 5) continue;
      const Eigen::VectorXd a = average(x, std::max(t - 5 * i - 5, r + 5));
      const Eigen::VectorXd b = average(x, std::max(t - 5 * i - 10, r));
      const Eigen::VectorXd c = average(x, t - 5 * i);
      const Eigen::VectorXd d = average(x, t - 5 * i - 5);
      for (Eigen::Index j = 0; j < n; ++j) {
        out(j, 51 + i) = std::abs(a(j) - b(j)) / (std::abs(c(j) - d(j)) + 0.1);
      }
    }
    return out;
  }
  Eigen::MatrixXd psi(int t) const {
    const auto n = x[0].size();
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, 3);
    for (Eigen::Index j = 0; j < n; ++j) {
      out(j, 1) = g[t](j) / (std::abs(g[std::max(t - 1, 0)](j)) + 1.0);
      if (t == 0) continue;
      out(j, 0) = (f[t] - f[t - 1]) / l2o::guarded_objective(f[t - 1]);
      out(j, 2) = std::abs(x[std::max(t - 1, 1)](j) - x[std::max(t - 2, 0)](j)) /
                  (std::abs(x[t](j) - x[t - 1](j)) + 0.1);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("F1: worked example of gps-spec.md §2.4 is reproduced exactly", "[features]") {
  FeatureHistory history(1);
  Eigen::MatrixXd phi(1, kStateDim);
  Eigen::MatrixXd psi(1, 3);
  for (int k = 0; k <= 12; ++k) {
    history.push(k + 1.0, Eigen::VectorXd::Constant(1, k + 1.0), Eigen::VectorXd::Constant(1, k));
    if (k != 0 && k != 7 && k != 12) continue;
    history.state_features(phi);
    history.observation_features(psi);
    Eigen::RowVectorXd expected_phi = Eigen::RowVectorXd::Zero(kStateDim);
    Eigen::RowVectorXd expected_psi(3);
    if (k == 0) {
      expected_phi(25) = 1.0 / 2;
      expected_psi << 0.0, 1.0 / 2, 0.0;
    } else if (k == 7) {
      expected_phi(0) = 5.0 / 2;
      expected_phi(25) = 7.0 / 3;
      expected_phi(26) = 2.0 / 3;
      expected_phi(51) = 5.0 / 5.1;
      expected_psi << 1.0 / 7, 1.0, 1.0 / 1.1;
    } else {
      expected_phi(0) = 5.0 / 7;
      expected_phi(1) = 5.0 / 2;
      expected_phi(25) = 3.0 / 2;
      expected_phi(26) = 7.0 / 3;
      expected_phi(27) = 2.0 / 3;
      expected_phi(51) = 5.0 / 5.1;
      expected_phi(52) = 5.0 / 5.1;
      expected_psi << 1.0 / 12, 1.0, 1.0 / 1.1;
    }
    INFO("t = " << k);
    CHECK((phi.row(0) - expected_phi).cwiseAbs().maxCoeff() <= 1e-15);
    CHECK((psi.row(0) - expected_psi).cwiseAbs().maxCoeff() <= 1e-15);
  }
}

TEST_CASE("F2: non-zero state components are exactly the active set A(t)", "[features]") {
  constexpr int kCoordinates = 4;
  FeatureHistory history(kCoordinates);
  l2o::RandomStream random(7, "test_features_f2");
  Eigen::MatrixXd phi(kCoordinates, kStateDim);
  Eigen::VectorXd x(kCoordinates), g(kCoordinates);
  for (int t = 0; t < 400; ++t) {
    for (int j = 0; j < kCoordinates; ++j) {
      x(j) = random.normal();
      g(j) = random.normal();
    }
    history.push(1.0 + random.uniform(), g, x);
    history.state_features(phi);
    const std::vector<int> active = l2o::active_set(t);
    REQUIRE(static_cast<int>(active.size()) == l2o::active_count(t));
    REQUIRE(l2o::active_count(t) == (t < 125 ? 3 * (t / 5) + 1 : 76));
    std::vector<int> non_zero;
    for (int i = 0; i < kStateDim; ++i) {
      if ((phi.col(i).array() != 0.0).all())
        non_zero.push_back(i);
      else
        REQUIRE((phi.col(i).array() == 0.0).all());
    }
    INFO("t = " << t);
    REQUIRE(non_zero == active);
    // alpha(t): A is constant on [alpha(t), t].
    REQUIRE(l2o::active_set(l2o::last_activation_time(t)) == active);
  }
}

TEST_CASE("F3: ring buffers equal the naive full-history features for t = 0..399", "[features]") {
  constexpr int kCoordinates = 6;
  FeatureHistory history(kCoordinates);
  NaiveFeatures naive;
  l2o::RandomStream random(11, "test_features_f3");
  Eigen::MatrixXd phi(kCoordinates, kStateDim), psi(kCoordinates, 3);
  const std::vector<Eigen::Index> subset{4, 1, 5};
  Eigen::MatrixXd phi_subset(3, kStateDim), psi_subset(3, 3);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kCoordinates);
  for (int t = 0; t < 400; ++t) {
    Eigen::VectorXd g(kCoordinates);
    for (int j = 0; j < kCoordinates; ++j) g(j) = random.normal() * std::pow(10.0, j - 3);
    if (t > 0) x += -0.01 * g;  // a noisy descent path
    const double f = 2.0 * std::exp(-0.01 * t) + 0.1 * random.uniform();
    naive.x.push_back(x);
    naive.g.push_back(g);
    naive.f.push_back(f);
    history.push(f, g, x);
    history.state_features(phi);
    history.observation_features(psi);
    INFO("t = " << t);
    REQUIRE(phi == naive.phi(t));  // same operations in the same order: bitwise equal
    REQUIRE(psi == naive.psi(t));
    history.state_features(subset, phi_subset);
    history.observation_features(subset, psi_subset);
    for (int k = 0; k < 3; ++k) {
      REQUIRE(phi_subset.row(k) == phi.row(subset[k]));
      REQUIRE(psi_subset.row(k) == psi.row(subset[k]));
    }
  }
  history.reset();
  REQUIRE(history.time() == -1);
}

TEST_CASE("Feature history rejects mis-sized inputs and outputs", "[features]") {
  FeatureHistory history(3);
  Eigen::MatrixXd phi(3, kStateDim);
  CHECK_THROWS_AS(history.state_features(phi), std::logic_error);
  CHECK_THROWS_AS(history.push(1.0, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(3)),
                  std::invalid_argument);
  history.push(1.0, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Zero(3));
  Eigen::MatrixXd wrong(2, kStateDim);
  CHECK_THROWS_AS(history.state_features(wrong), std::invalid_argument);
}
