// The global policy of one group (gps-spec.md §8): initial output, input normalisation (§8.2),
// teacher-forced passes against test-time steps (§6, §15), and P1 (§17): the §8.4 loss and its
// BPTT gradient against the formula and central finite differences, in double.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "finite_difference_check.hpp"
#include "gps/features/observation_normalisation.hpp"
#include "gps/loop/badmm_policy_targets.hpp"
#include "gps/policy/lstm_policy.hpp"
#include "gps/policy/policy_loss.hpp"
#include "gps/test_policy_fixtures.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;
using l2o::LstmPolicy;
using l2o::PolicyConstants;
using l2o::test::check_against_finite_differences;

TEST_CASE("lstm policy: the untrained policy outputs exactly 0 (gps-spec 8.1)", "[policy]") {
  const MatrixXd observations = l2o::test::raw_observations(20, 6, 1);
  LstmPolicy<float> policy(l2o::LstmPolicyParams{}, l2o::test::constants_from(observations), 7, 2);
  CHECK(policy.shape().hidden_size == 128);
  CHECK(policy.shape().parameter_count() == 4 * 128 * 131 + 8 * 128 + 129);
  CHECK((policy.teacher_forced_means(observations).array() == 0.0).all());
  // The recurrent weights are not trivial: U(+-1/sqrt(128)) and forget bias +1, seeded by group.
  const auto& w = policy.weights();
  CHECK(w.w_hh(0).cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(128.0));
  CHECK(w.w_hh(0).cwiseAbs().maxCoeff() > 0.08);
  CHECK(w.b_ih(0).segment(128, 128).isOnes());
  LstmPolicy<float> same(l2o::LstmPolicyParams{}, policy.constants(), 7, 2);
  LstmPolicy<float> other_group(l2o::LstmPolicyParams{}, policy.constants(), 7, 3);
  CHECK(same.weights().values() == w.values());
  CHECK(other_group.weights().values() != w.values());
}

TEST_CASE("lstm policy: normalisation from data gives zero-mean unit-variance inputs", "[policy]") {
  const MatrixXd first = l2o::test::raw_observations(30, 8, 2);
  const MatrixXd second = l2o::test::raw_observations(45, 8, 3);
  l2o::ObservationStatistics both, only_first, only_second;
  both.add_rollout(first);
  both.add_rollout(second);
  only_first.add_rollout(first);
  only_second.add_rollout(second);
  only_second.sums().merge(only_first.sums());
  CHECK(only_second.sums() == both.sums());  // exact sums: any split over ranks gives the same

  const l2o::ObservationNormalisation normalisation = both.normalisation();
  MatrixXd all(75, 24);
  all << first, second;
  const MatrixXd z = normalisation.apply<double>(all);
  for (int i = 0; i < 3; ++i) {
    VectorXd channel(75 * 8);
    for (int t = 0; t < 8; ++t) channel.segment(75 * t, 75) = z.col(3 * t + i);
    const double mean = channel.mean();
    CHECK(std::abs(mean) < 1e-12);
    CHECK((channel.array() - mean).square().mean() == Approx(1.0).epsilon(1e-12));
  }
  // A constant channel gets the floor 1e-6 on its standard deviation (§8.2).
  MatrixXd constant = first;
  for (int t = 0; t < 8; ++t) constant.col(3 * t).setConstant(0.5);
  l2o::ObservationStatistics constant_statistics;
  constant_statistics.add_rollout(constant);
  CHECK(constant_statistics.normalisation().scale(0) == 1e6);
  CHECK(constant_statistics.normalisation().offset(0) == -0.5e6);
}

TEST_CASE("lstm policy: the recorder's per-step layout converts to sequences", "[policy]") {
  const MatrixXd sequences = l2o::test::raw_observations(4, 3, 4);
  std::vector<MatrixXd> per_step;
  for (int t = 0; t < 3; ++t) per_step.push_back(sequences.middleCols(3 * t, 3));
  CHECK(l2o::observation_sequences(per_step) == sequences);
  per_step[1] = MatrixXd::Zero(4, 2);
  CHECK_THROWS_WITH(l2o::observation_sequences(per_step),
                    Catch::Contains("step 1 is 4 x 2, expected 4 x 3"));
}

TEMPLATE_TEST_CASE("lstm policy: teacher-forced pass equals test-time steps", "[policy]", float,
                   double) {
  const Eigen::Index coordinates = 37, steps = 12;
  const MatrixXd observations = l2o::test::raw_observations(coordinates, steps, 5);
  auto policy =
      l2o::test::random_policy<TestType>(128, l2o::test::constants_from(observations), 0.2, 6);
  const MatrixXd means = policy.teacher_forced_means(observations);
  CHECK(means.cwiseAbs().minCoeff() > 0.0);
  auto memory = policy.initial_memory(coordinates);
  VectorXd raw_steps(coordinates);
  for (Eigen::Index t = 0; t < steps; ++t) {
    policy.step(observations.middleCols(3 * t, 3), memory, raw_steps);
    const VectorXd expected = policy.constants().action_scale * means.col(t);
    CHECK(raw_steps == expected);  // bitwise: the same engine steps
  }
  // 600 sequences span two row blocks of the engine: the pass is thread-count independent.
  const MatrixXd many = l2o::test::raw_observations(600, 4, 8);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const MatrixXd one_thread = policy.teacher_forced_means(many);
  omp_set_num_threads(2);
  const MatrixXd two_threads = policy.teacher_forced_means(many);
  omp_set_num_threads(saved);
  CHECK(one_thread == two_threads);
}

namespace {

// c_t = w_t / G_t with non-uniform nu (through the §8.3 weight normalisation) and G.
VectorXd nonuniform_step_weights(Eigen::Index steps) {
  VectorXd nu(steps), variance(steps);
  for (Eigen::Index t = 0; t < steps; ++t) {
    nu(t) = 0.01 * std::pow(2.0, static_cast<double>(t % 4) - 1.0);
    variance(t) = 0.1 + 0.05 * static_cast<double>(t);
  }
  return l2o::policy_loss_step_weights(l2o::badmm_loss_weights(nu), variance);
}

// P1 for a policy of hidden size `hidden`, checking the parameters listed in `checked`.
void check_policy_gradient(Eigen::Index hidden, const std::vector<Eigen::Index>& checked) {
  const Eigen::Index sequences = 5, steps = 7;
  const MatrixXd observations = l2o::test::raw_observations(sequences, steps, 11);
  auto policy =
      l2o::test::random_policy<double>(hidden, l2o::test::constants_from(observations), 0.5, 12);
  const MatrixXd targets = l2o::test::random_matrix(sequences, steps, 1.0, 13, "targets");
  const VectorXd step_weights = nonuniform_step_weights(steps);
  REQUIRE(step_weights.maxCoeff() > 2.0 * step_weights.minCoeff());
  const l2o::PolicyMinibatch<double> minibatch{policy.normalised_inputs(observations), targets};
  // Blocks of 2 positions: 3 blocks, the last one short, combined in order.
  l2o::PolicyLossGradient<double> loss_gradient(policy.shape(), 2);
  VectorXd gradient;
  const double loss =
      loss_gradient.loss_gradient(policy.compute_weights(), minibatch, step_weights, gradient);

  // The loss is the §8.4 formula over the teacher-forced means.
  const MatrixXd residual = policy.teacher_forced_means(observations) - targets;
  const double expected =
      (residual.array().square().rowwise() * step_weights.transpose().array()).sum() /
      (2.0 * sequences * steps);
  CHECK(loss == Approx(expected).epsilon(1e-13));
  // One block of all positions gives the same sums up to rounding.
  l2o::PolicyLossGradient<double> one_block(policy.shape(), 64);
  VectorXd one_block_gradient;
  one_block.loss_gradient(policy.compute_weights(), minibatch, step_weights, one_block_gradient);
  CHECK((one_block_gradient - gradient).norm() < 1e-13 * gradient.norm());

  // Central differences of the one-block loss (cheaper; it equals the blocked loss up to
  // rounding): truncation ~ step^2 |L'''| ~ 1e-10, rounding ~ 1e-16 |L| / step.
  const double step = 1e-5;
  VectorXd analytic(checked.size()), numeric(checked.size());
  VectorXd weights = policy.weights().values();
  VectorXd scratch;
  // Hundreds of tiny evaluations: one thread avoids waking a team for each (a loaded machine).
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  for (std::size_t i = 0; i < checked.size(); ++i) {
    const Eigen::Index k = checked[i];
    const double original = weights(k);
    weights(k) = original + step;
    policy.set_weights(weights);
    const double plus =
        one_block.loss_gradient(policy.compute_weights(), minibatch, step_weights, scratch);
    weights(k) = original - step;
    policy.set_weights(weights);
    const double minus =
        one_block.loss_gradient(policy.compute_weights(), minibatch, step_weights, scratch);
    weights(k) = original;
    numeric(i) = (plus - minus) / (2 * step);
    analytic(i) = gradient(k);
  }
  omp_set_num_threads(saved_threads);
  check_against_finite_differences(analytic, numeric);
}

}  // namespace

TEST_CASE("lstm policy: P1, BPTT gradient of the 8.4 loss equals finite differences", "[policy]") {
  SECTION("every parameter of a 4-cell policy") {
    l2o::LstmPolicyParams params;
    params.hidden_size = 4;
    const Eigen::Index count = params.shape().parameter_count();
    std::vector<Eigen::Index> all(static_cast<std::size_t>(count));
    for (Eigen::Index k = 0; k < count; ++k) all[k] = k;
    check_policy_gradient(4, all);
  }
  SECTION("sampled parameters of every block of the 128-cell policy") {
    const l2o::LstmShape shape = l2o::LstmPolicyParams{}.shape();
    std::vector<Eigen::Index> sampled;
    l2o::RandomStream stream(14, "test-sampled-parameters");
    // 12 from each of W_ih, W_hh, the biases and w_o, plus b_o.
    const Eigen::Index w_hh = 4 * 128 * 3, biases = w_hh + 4 * 128 * 128,
                       readout = shape.readout_offset();
    const Eigen::Index starts[] = {0, w_hh, biases, readout};
    const Eigen::Index ends[] = {w_hh, biases, readout, readout + 128};
    for (int block = 0; block < 4; ++block) {
      for (int i = 0; i < 12; ++i) {
        sampled.push_back(starts[block] + static_cast<Eigen::Index>(
                                              stream.uniform_index(ends[block] - starts[block])));
      }
    }
    sampled.push_back(shape.parameter_count() - 1);
    check_policy_gradient(128, sampled);
  }
}
