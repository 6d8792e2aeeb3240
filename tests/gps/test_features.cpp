// Features of gps-spec.md §2: F1 (worked table), F2 (active sets), F3 (ring buffer vs a naive
// full-history implementation written straight from the formulas), and the scale-free variant.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "gps/features/feature_history.hpp"
#include "gps/features/features.hpp"
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

TEST_CASE("An observation-only history gives the full history's Psi bitwise and no Phi",
          "[features]") {
  constexpr int kCoordinates = 5;
  for (const l2o::FeatureSet features : {l2o::FeatureSet::paper, l2o::FeatureSet::scale_free}) {
    FeatureHistory full(kCoordinates, features);
    FeatureHistory observation_only(kCoordinates, features, l2o::FeatureUse::observation_only);
    l2o::RandomStream random(13, "test_features_observation_only");
    Eigen::MatrixXd psi(kCoordinates, 3), psi_only(kCoordinates, 3), phi(kCoordinates, kStateDim);
    Eigen::VectorXd x = Eigen::VectorXd::Zero(kCoordinates), g(kCoordinates);
    for (int t = 0; t < 150; ++t) {
      for (int j = 0; j < kCoordinates; ++j) g(j) = random.normal() * std::pow(10.0, j - 2);
      x -= 0.01 * g;
      full.push(1.0 / (t + 1.0), g, x);
      observation_only.push(1.0 / (t + 1.0), g, x);
      full.observation_features(psi);
      observation_only.observation_features(psi_only);
      INFO("t = " << t);
      REQUIRE(psi_only == psi);
    }
    CHECK_THROWS_AS(observation_only.state_features(phi), std::logic_error);
  }
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

namespace {

// The scale-free gradient of feature_set.hpp straight from its closed form:
// v_t = sum_{k<=t} 0.01 * 0.99^(t-k) g_k^2, g~_t = g_t / (sqrt(v_t / (1 - 0.99^(t+1))) + 1e-8).
std::vector<Eigen::VectorXd> scale_free_gradients(const std::vector<Eigen::VectorXd>& g) {
  std::vector<Eigen::VectorXd> out;
  for (std::size_t t = 0; t < g.size(); ++t) {
    Eigen::ArrayXd v = Eigen::ArrayXd::Zero(g[t].size());
    for (std::size_t k = 0; k <= t; ++k) {
      v += 0.01 * std::pow(0.99, static_cast<double>(t - k)) * g[k].array().square();
    }
    const double correction = 1.0 - std::pow(0.99, static_cast<double>(t + 1));
    out.push_back((g[t].array() / ((v / correction).sqrt() + 1e-8)).matrix());
  }
  return out;
}

// Feeds `steps` steps of gradients scaled by `scale` (losses and iterates unscaled) into a
// scale_free history; returns Phi and Psi of the last step side by side.
Eigen::MatrixXd scale_free_features(double scale, int steps, FeatureHistory& history) {
  constexpr int kCoordinates = 5;
  l2o::RandomStream random(5, "test_features_scale_free");
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kCoordinates);
  history.reset();
  for (int t = 0; t < steps; ++t) {
    Eigen::VectorXd g(kCoordinates);
    for (int j = 0; j < kCoordinates; ++j) g(j) = random.normal() * std::pow(10.0, j - 2);
    x -= 0.01 * g;
    history.push(1.0 / (t + 1.0), scale * g, x);
  }
  Eigen::MatrixXd features(kCoordinates, kStateDim + 3);
  history.state_features(features.leftCols(kStateDim));
  history.observation_features(features.rightCols(3));
  return features;
}

}  // namespace

TEST_CASE("scale_free features are the paper features of g / running RMS (closed form)",
          "[features]") {
  constexpr int kCoordinates = 4;
  FeatureHistory history(kCoordinates, l2o::FeatureSet::scale_free);
  NaiveFeatures naive;
  std::vector<Eigen::VectorXd> raw;
  l2o::RandomStream random(12, "test_features_scale_free_naive");
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kCoordinates);
  Eigen::MatrixXd phi(kCoordinates, kStateDim), psi(kCoordinates, 3);
  for (int t = 0; t < 200; ++t) {
    Eigen::VectorXd g(kCoordinates);
    for (int j = 0; j < kCoordinates; ++j) g(j) = random.normal() * std::pow(10.0, 2 * j - 4);
    x -= 0.01 * g;
    raw.push_back(g);
    naive.x.push_back(x);
    naive.f.push_back(1.0 + std::exp(-0.02 * t));
    naive.g = scale_free_gradients(raw);
    history.push(naive.f.back(), g, x);
    history.state_features(phi);
    history.observation_features(psi);
    INFO("t = " << t);
    // The recursion and the closed form round differently: compare to a tight tolerance.
    REQUIRE((phi - naive.phi(t)).cwiseAbs().maxCoeff() < 1e-11);
    REQUIRE((psi - naive.psi(t)).cwiseAbs().maxCoeff() < 1e-11);
  }
}

TEST_CASE("scale_free features do not depend on the gradient's scale, paper features do",
          "[features]") {
  FeatureHistory scale_free(5, l2o::FeatureSet::scale_free);
  const Eigen::MatrixXd reference = scale_free_features(1.0, 150, scale_free);
  // The same history object is reused: reset() must also restart the running mean.
  for (const double scale : {0.1, 1.0, 1e3}) {
    INFO("scale " << scale);
    const Eigen::MatrixXd scaled = scale_free_features(scale, 150, scale_free);
    // Only the 1e-8 epsilon breaks the invariance: relative 1e-5 at the smallest |g| ~ 1e-3.
    CHECK((scaled - reference).cwiseAbs().maxCoeff() < 1e-4);
  }
  FeatureHistory paper(5);
  CHECK((scale_free_features(1e3, 150, paper) - scale_free_features(1.0, 150, paper))
            .cwiseAbs()
            .maxCoeff() > 1.0);
}

TEST_CASE("scale_free: a constant gradient becomes its sign from the first step on", "[features]") {
  FeatureHistory history(2, l2o::FeatureSet::scale_free);
  const Eigen::Vector2d g(-3e-4, 7.0);
  Eigen::MatrixXd psi(2, 3);
  for (int t = 0; t < 20; ++t) {
    history.push(1.0, g, Eigen::Vector2d::Zero());
    history.observation_features(psi);
    // psi_1 = g~_t / (|g~_{t-1}| + 1) with g~ = sign(g) up to the 1e-8 epsilon (bias correction).
    CHECK(psi(0, 1) == Approx(-0.5).epsilon(1e-4));
    CHECK(psi(1, 1) == Approx(0.5).epsilon(1e-9));
  }
}

TEST_CASE("feature set names round-trip and unknown names are rejected", "[features]") {
  for (const auto features :
       {l2o::FeatureSet::paper, l2o::FeatureSet::scale_free, l2o::FeatureSet::adaptive}) {
    CHECK(l2o::parse_feature_set(l2o::feature_set_name(features)) == features);
  }
  CHECK_THROWS_WITH(l2o::parse_feature_set("adam"),
                    "unknown feature set \"adam\"; use \"paper\", \"scale_free\" or \"adaptive\"");
  CHECK(l2o::state_dimension(l2o::FeatureSet::scale_free) == 76);
  CHECK(l2o::observation_dimension(l2o::FeatureSet::paper) == 3);
  CHECK(l2o::state_dimension(l2o::FeatureSet::adaptive) == 78);
  CHECK(l2o::observation_dimension(l2o::FeatureSet::adaptive) == 5);
}
