// gps-spec.md §16.2 meta-training: Adam on phi over truncated episodes.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "l2l/l2l_training.hpp"
#include "l2l_test_tasks.hpp"

namespace l2o {

TEST_CASE("L2L meta-training reduces the validation meta-loss on random quadratics", "[l2l]") {
  const Eigen::Index d = 10;
  L2lTrainingParams params;
  params.episodes = 60;  // x 5 truncations = 300 meta-iterations
  params.horizon = 100;
  params.truncation = 20;
  params.learning_rate = 3e-3;
  params.validation_interval = 20;
  params.validation_episodes = 5;
  const auto training = test::quadratic_family(d, 41);
  const auto validation = test::quadratic_family(d, 42);
  const LstmParameters<double> initial = initial_l2l_parameters(l2l_shape(), 9);
  const L2lTrainingResult result = train_l2l(initial, {}, params, training, validation);

  REQUIRE(result.validation_losses.size() == 4);
  REQUIRE(result.episode_meta_losses.size() == 60);
  INFO("validation losses " << result.validation_losses[0] << " ... "
                            << result.best_validation_loss);
  CHECK(result.best_validation_loss < 0.5 * result.validation_losses[0]);
  // The best phi's loss is what l2l_validation_loss computes independently.
  L2lNetwork network;
  CHECK(l2l_validation_loss(network, result.best_parameters, validation, 5, 100) ==
        result.best_validation_loss);
}

TEST_CASE("L2L meta-training is deterministic", "[l2l]") {
  L2lTrainingParams params;
  params.episodes = 4;
  params.horizon = 40;
  params.truncation = 10;
  params.validation_interval = 2;
  params.validation_episodes = 2;
  const LstmParameters<double> initial = initial_l2l_parameters(l2l_shape(), 10);
  const auto run = [&] {
    return train_l2l(initial, {}, params, test::quadratic_family(6, 51),
                     test::quadratic_family(6, 52));
  };
  const L2lTrainingResult a = run(), b = run();
  CHECK(a.episode_meta_losses == b.episode_meta_losses);
  CHECK(a.validation_losses == b.validation_losses);
  CHECK(a.best_parameters.values() == b.best_parameters.values());
}

TEST_CASE("L2L training parameters are checked", "[l2l]") {
  L2lTrainingParams params;
  CHECK_NOTHROW(params.check());
  params.horizon = 30;  // not a multiple of 20
  CHECK_THROWS_WITH(params.check(), Catch::Contains("horizon"));
  params = {};
  params.validation_episodes = 0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("validation_episodes"));
}

}  // namespace l2o
