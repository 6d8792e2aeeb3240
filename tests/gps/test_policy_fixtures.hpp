#pragma once
// Synthetic data for the global-policy tests (gps-spec.md §8, §9): raw observation sequences with
// channel means and scales as different as the real features' (§3.2), and policies built on them.
#include <Eigen/Core>
#include <cstdint>

#include "gps/features/observation_normalisation.hpp"
#include "gps/policy/lstm_policy.hpp"
#include "nn/lstm_test_util.hpp"

namespace l2o::test {

/// P x 3T raw observation sequences: channel i is mean_i + scale_i N(0, 1), with means
/// (0.05, -0.3, 2) and scales (0.01, 0.5, 4).
inline Eigen::MatrixXd raw_observations(Eigen::Index sequences, Eigen::Index steps,
                                        std::uint64_t seed) {
  const Eigen::Vector3d mean(0.05, -0.3, 2.0), scale(0.01, 0.5, 4.0);
  Eigen::MatrixXd o = random_matrix(sequences, 3 * steps, 1.0, seed, "test-policy-observations");
  for (Eigen::Index c = 0; c < o.cols(); ++c) {
    o.col(c) = (mean(c % 3) + scale(c % 3) * o.col(c).array()).matrix();
  }
  return o;
}

/// Normalisation from `observations` (§8.2) and sigma_a = 0.003.
inline PolicyConstants constants_from(const Eigen::MatrixXd& observations) {
  ObservationStatistics statistics;
  statistics.add_rollout(observations);
  return PolicyConstants{statistics.normalisation(), 0.003};
}

/// A policy of hidden size `hidden` whose every weight (read-out included) is N(0, scale^2).
template <class Scalar>
LstmPolicy<Scalar> random_policy(Eigen::Index hidden, const PolicyConstants& constants,
                                 double scale, std::uint64_t seed) {
  LstmPolicyParams params;
  params.hidden_size = hidden;
  LstmPolicy<Scalar> policy(params, constants, seed, 0);
  policy.set_weights(random_parameters(params.shape(), scale, seed).values());
  return policy;
}

}  // namespace l2o::test
