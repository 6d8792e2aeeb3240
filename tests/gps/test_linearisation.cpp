// Policy linearisation (gps-spec.md §6, §17 D3): exact recovery of a linear policy, Sbar = Sigma^pi
// without ridge and the closed-form excess with ridge, the prior limit, inactive gains zero.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <vector>

#include "gps/fit/policy_linearisation.hpp"
#include "util/random_stream.hpp"

namespace {

constexpr int kHorizon = 130;
constexpr int kRollouts = 3;
constexpr Eigen::Index kPoints = 50;

struct PolicyData {
  std::vector<std::vector<Eigen::MatrixXd>> states;  // [rollout][t]: P x 76
  std::vector<Eigen::MatrixXd> means;                // [rollout]: P x T
};

// mu_t = K_t s + k_t with K_t = K + t * K_drift (so windows see different policies).
PolicyData linear_policy_data(const Eigen::RowVectorXd& gain, const Eigen::RowVectorXd& drift,
                              double bias) {
  PolicyData data;
  for (int n = 0; n < kRollouts; ++n) {
    l2o::RandomStream random(21, "test_linearisation", {static_cast<std::uint64_t>(n)});
    std::vector<Eigen::MatrixXd> states;
    Eigen::MatrixXd means(kPoints, kHorizon);
    for (int t = 0; t < kHorizon; ++t) {
      Eigen::MatrixXd s(kPoints, l2o::kStateDim);
      for (Eigen::Index j = 0; j < kPoints; ++j) {
        for (int i = 0; i < l2o::kStateDim; ++i) {
          s(j, i) = l2o::is_active(i, t) ? random.normal() : 0.0;
        }
      }
      means.col(t) = s * (gain + t * drift).transpose();
      means.col(t).array() += bias;
      states.push_back(s);
    }
    data.states.push_back(states);
    data.means.push_back(means);
  }
  return data;
}

l2o::PolicyStatistics statistics_of(const PolicyData& data) {
  l2o::PolicyStatistics statistics(kHorizon);
  for (int n = 0; n < kRollouts; ++n) statistics.add_rollout(data.states[n], data.means[n]);
  return statistics;
}

// Mean and covariance of [s|A; mu] over steps first..last, straight from the points.
void window_moments(const PolicyData& data, int first, int last, const std::vector<int>& state,
                    Eigen::VectorXd& mean, Eigen::MatrixXd& covariance) {
  const auto dim = static_cast<Eigen::Index>(state.size()) + 1;
  mean = Eigen::VectorXd::Zero(dim);
  Eigen::MatrixXd outer = Eigen::MatrixXd::Zero(dim, dim);
  double count = 0.0;
  for (int n = 0; n < kRollouts; ++n) {
    for (int t = first; t <= last; ++t) {
      for (Eigen::Index j = 0; j < kPoints; ++j) {
        Eigen::VectorXd y(dim);
        y.head(dim - 1) = data.states[n][t](j, state).transpose();
        y(dim - 1) = data.means[n](j, t);
        mean += y;
        outer += y * y.transpose();
        count += 1.0;
      }
    }
  }
  mean /= count;
  covariance = outer / count - mean * mean.transpose();
}

}  // namespace

TEST_CASE("D3: linearisation recovers a linear policy, Sbar - Sigma^pi is 0 or the ridge excess",
          "[linearisation]") {
  l2o::RandomStream random(22, "test_linearisation_truth");
  Eigen::RowVectorXd gain(l2o::kStateDim), drift = Eigen::RowVectorXd::Zero(l2o::kStateDim);
  for (int i = 0; i < l2o::kStateDim; ++i) gain(i) = random.normal();
  const PolicyData data = linear_policy_data(gain, drift, 0.3);
  const l2o::PolicyStatistics statistics = statistics_of(data);
  l2o::PolicyLinearisationParams params;
  params.prior_count = 0.0;
  params.ridge = 0.0;
  const l2o::PolicyLinearisationFit fit = l2o::fit_policy_linearisation(statistics, params, {3, 1});
  for (int t = 0; t < kHorizon; ++t) {
    INFO("t = " << t);
    for (int i = 0; i < l2o::kStateDim; ++i) {
      const double expected = l2o::is_active(i, t) ? gain(i) : 0.0;
      REQUIRE(std::abs(fit.linearisation.gain(t, i) - expected) < 1e-9);
    }
    REQUIRE(std::abs(fit.linearisation.bias(t) - 0.3) < 1e-9);
    REQUIRE(std::abs(fit.linearisation.variance(t) - params.policy_variance) < 1e-9);
  }

  // With the ridge: Sbar - Sigma^pi = K delta Sigma_ss (Sigma_ss + delta I)^-1 K^T > 0.
  params.ridge = 1e-3;
  constexpr int kT = 127;
  const l2o::PolicyLinearisationFit ridged = l2o::fit_policy_linearisation(statistics, params, {});
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
  window_moments(data, kT, kT, l2o::active_set(kT), mean, covariance);
  const Eigen::MatrixXd sigma_ss = covariance.topLeftCorner(76, 76);
  const Eigen::MatrixXd ridged_ss = sigma_ss + 1e-3 * Eigen::MatrixXd::Identity(76, 76);
  const double excess = (gain * 1e-3 * sigma_ss * ridged_ss.inverse() * gain.transpose())(0, 0);
  const double got = ridged.linearisation.variance(kT) - params.policy_variance;
  CHECK(excess > 0.0);
  CHECK(std::abs(got - excess) < 1e-6 * excess);
}

TEST_CASE("D3: with huge pseudo-counts the linearisation conditions the window moments",
          "[linearisation]") {
  l2o::RandomStream random(23, "test_linearisation_prior");
  Eigen::RowVectorXd gain(l2o::kStateDim), drift(l2o::kStateDim);
  for (int i = 0; i < l2o::kStateDim; ++i) {
    gain(i) = random.normal();
    drift(i) = 0.01 * random.normal();
  }
  const PolicyData data = linear_policy_data(gain, drift, -0.2);
  l2o::PolicyLinearisationParams params;
  params.prior_count = 1e12;
  params.ridge = 0.0;
  const l2o::PolicyLinearisationFit fit =
      l2o::fit_policy_linearisation(statistics_of(data), params, {});
  for (int t : {3, 12, 126}) {
    INFO("t = " << t);
    const std::vector<int> state = l2o::active_set(t);
    const auto n = static_cast<Eigen::Index>(state.size());
    Eigen::VectorXd prior_mean, empirical_mean;
    Eigen::MatrixXd prior_cov, empirical_cov;
    window_moments(data, std::max(t - 10, l2o::last_activation_time(t)),
                   std::min(t + 10, kHorizon - 1), state, prior_mean, prior_cov);
    window_moments(data, t, t, state, empirical_mean, empirical_cov);
    const Eigen::RowVectorXd expected_gain =
        prior_cov.bottomLeftCorner(1, n) * prior_cov.topLeftCorner(n, n).inverse();
    const double expected_bias = empirical_mean(n) - (expected_gain * empirical_mean.head(n))(0, 0);
    const double expected_variance = prior_cov(n, n) -
                                     (expected_gain * prior_cov.topRightCorner(n, 1))(0, 0) +
                                     params.policy_variance;
    CHECK((fit.linearisation.gain.row(t)(state) - expected_gain).cwiseAbs().maxCoeff() < 1e-6);
    CHECK(std::abs(fit.linearisation.bias(t) - expected_bias) < 1e-6);
    CHECK(std::abs(fit.linearisation.variance(t) - expected_variance) < 1e-6);
  }
}
