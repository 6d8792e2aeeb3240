// The data-parallel policy gradient of gps-spec.md §14 under mpiexec -n 2: the blocks of a
// minibatch are computed on rank b mod 2 and gathered in block order, so the clipped minibatch
// gradient, loss and norm must be bitwise those of the whole minibatch on one rank
// (PolicyLossGradient::loss_gradient, no MPI), on both ranks; and a whole policy update (Adam
// steps over several epochs) must leave the same weights and moments on both ranks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <numeric>
#include <vector>

#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"
#include "gps/policy/policy_gradient_reduction.hpp"
#include "gps/policy/policy_loss.hpp"
#include "gps/policy/policy_training.hpp"
#include "gps/test_policy_fixtures.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

l2o::PolicyTrainingSet training_set(const MatrixXd& observations, const MatrixXd& targets) {
  l2o::PolicyTrainingSet data;
  data.add_rollout(observations, targets);
  data.step_weights = VectorXd::LinSpaced(targets.cols(), 0.5, 2.0);
  return data;
}

bool same_bits(const VectorXd& a, const VectorXd& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

// Whether every rank passed the same words.
bool same_on_every_rank(const std::vector<std::uint64_t>& words) {
  const auto all = l2o::allgather_words(words);
  for (const auto& other : all) {
    if (other != words) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("2-rank policy minibatch gradient equals the 1-rank gradient bitwise", "[gps][mpi]") {
  REQUIRE(l2o::world_size() == 2);
  const Eigen::Index sequences = 70, steps = 6;
  const MatrixXd observations = l2o::test::raw_observations(sequences, steps, 61);
  const l2o::PolicyTrainingSet data = training_set(
      observations, l2o::test::random_matrix(sequences, steps, 0.01, 62, "mpi-targets"));
  auto policy =
      l2o::test::random_policy<float>(8, l2o::test::constants_from(observations), 0.3, 63);
  l2o::PolicyTrainingParams params;  // blocks of 16 positions
  l2o::PolicyTrainer<float> trainer(policy, data, params);

  // 70 positions = 5 blocks (rank 0: 0, 2, 4; rank 1: 1, 3); 10 positions = 1 block (rank 1
  // computes nothing); a shuffled order so positions differ from sequence indices.
  std::vector<Eigen::Index> order(static_cast<std::size_t>(sequences));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::reverse(order.begin() + 5, order.end());
  for (const Eigen::Index size : {Eigen::Index{70}, Eigen::Index{10}}) {
    INFO("minibatch of " << size);
    const std::span<const Eigen::Index> minibatch(order.data(), static_cast<std::size_t>(size));
    VectorXd gradient;
    double norm = 0.0;
    const double loss = trainer.minibatch_gradient(minibatch, gradient, norm);

    l2o::PolicyMinibatch<float> whole;
    const auto inputs = policy.normalised_inputs(observations);
    whole.inputs.resize(size, inputs.cols());
    whole.targets.resize(size, steps);
    for (Eigen::Index p = 0; p < size; ++p) {
      whole.inputs.row(p) = inputs.row(minibatch[p]);
      whole.targets.row(p) = data.targets.row(minibatch[p]);
    }
    l2o::PolicyLossGradient<float> reference_loss(policy.shape(), params.gradient_block_sequences,
                                                  policy.params().engine);
    VectorXd reference;
    const double reference_value =
        reference_loss.loss_gradient(policy.compute_weights(), whole, data.step_weights, reference);
    const double reference_norm = l2o::clip_gradient_norm(reference, params.gradient_clip_norm);
    CHECK(loss == reference_value);
    CHECK(norm == reference_norm);
    CHECK(same_bits(gradient, reference));
    CHECK(loss > 0.0);
  }
  CHECK(l2o::owned_blocks(5) == (l2o::world_rank() == 0 ? std::vector<Eigen::Index>{0, 2, 4}
                                                        : std::vector<Eigen::Index>{1, 3}));
}

TEST_CASE("2-rank policy update: identical weights and Adam moments on both ranks", "[gps][mpi]") {
  REQUIRE(l2o::world_size() == 2);
  const MatrixXd observations = l2o::test::raw_observations(40, 5, 71);
  const l2o::PolicyTrainingSet data =
      training_set(observations, l2o::test::random_matrix(40, 5, 0.01, 72, "mpi-targets"));
  l2o::PolicyTrainingParams params;
  params.minibatch_sequences = 24;  // epochs of 24 + 16 positions, blocks of 8: 3 + 2 blocks
  params.gradient_block_sequences = 8;
  params.max_steps = 5;
  l2o::LstmPolicy<float> policy({}, l2o::test::constants_from(observations), 73, 1);
  const VectorXd before = policy.weights().values();
  const l2o::PolicyUpdateReport report =
      l2o::train_policy(policy, data, params, {.seed = 74, .iteration = 2, .group = 1});
  REQUIRE(report.step_losses.size() == 5);
  CHECK_FALSE(same_bits(policy.weights().values(), before));
  l2o::WordWriter writer;
  writer(policy.weights().values());
  writer(policy.optimizer_state().first_moment);
  writer(policy.optimizer_state().second_moment);
  writer(report.step_losses);
  writer(report.gradient_norms);
  CHECK(same_on_every_rank(writer.words()));
}
