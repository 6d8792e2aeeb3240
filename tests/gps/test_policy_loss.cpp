// Errors of the blocked policy gradient (policy_loss.hpp): the blocks run concurrently, and when
// several fail the caller sees the error of the earliest listed block, whatever the thread timing.
#include <omp.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "gps/policy/policy_loss.hpp"
#include "gps/test_policy_fixtures.hpp"

TEST_CASE("policy loss: of several failing blocks the earliest listed one's error is thrown",
          "[policy]") {
  const Eigen::Index sequences = 4, steps = 30;
  const Eigen::MatrixXd observations = l2o::test::raw_observations(sequences, steps, 21);
  auto policy =
      l2o::test::random_policy<float>(16, l2o::test::constants_from(observations), 0.5, 22);
  const l2o::PolicyMinibatch<float> minibatch{
      policy.normalised_inputs(observations),
      l2o::test::random_matrix(sequences, steps, 1.0, 23, "targets")};
  const Eigen::VectorXd step_weights = Eigen::VectorXd::Ones(steps);
  l2o::PolicyLossGradient<float> loss_gradient(policy.shape(), sequences);  // one block: 0
  // 2 threads share the 128 listed blocks statically: thread 0 computes 63 valid blocks before
  // it reaches the out-of-range block 1000 (index 63), while thread 1 fails at once on block
  // 2000 (index 64). Keeping whichever failure comes first reported block 2000.
  std::vector<Eigen::Index> blocks(128, 0);
  blocks[63] = 1000;
  blocks[64] = 2000;
  std::vector<l2o::PolicyBlockGradient> results;
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(2);
  CHECK_THROWS_MATCHES(loss_gradient.block_gradients(policy.compute_weights(), minibatch,
                                                     step_weights, blocks, results),
                       std::invalid_argument,
                       Catch::Message("PolicyLossGradient: block 1000 outside the minibatch"));
  omp_set_num_threads(saved_threads);
}
