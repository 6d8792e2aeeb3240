// The L2L update rule as an l2o::Optimizer (gps-spec.md §16.2 test time).
#include <catch2/catch.hpp>
#include <string>

#include "l2l/l2l_optimizer.hpp"
#include "l2l/l2l_training.hpp"
#include "l2l_test_tasks.hpp"

namespace l2o {
namespace {

// Losses of `steps` iterations of `optimizer` from x^(0) = 0 on quadratic `index` of the family.
Eigen::VectorXd run_quadratic(L2lOptimizer& optimizer, Eigen::Index d, std::int64_t index,
                              int steps, Eigen::VectorXd& x) {
  auto episode = test::quadratic_episode(d, 31, index);
  x.resize(d);
  episode->initial_point(x);
  optimizer.start(d);
  Eigen::VectorXd losses(steps + 1);
  for (int t = 0; t < steps; ++t) losses[t] = optimizer.step(x, episode->oracle(t)).loss;
  losses[steps] = episode->oracle(steps).loss(x);
  return losses;
}

}  // namespace

TEST_CASE("L2L optimizer with a zero read-out leaves x unchanged", "[l2l]") {
  LstmParameters<double> phi = initial_l2l_parameters(l2l_shape(), 1);
  phi.w_out().setZero();
  phi.b_out().setZero();
  L2lOptimizer optimizer(phi);
  CHECK(optimizer.name() == "l2l");
  const HyperparameterList expected{{"input_size", 2},    {"hidden_size", 20},
                                    {"num_layers", 2},    {"output_size", 1},
                                    {"preprocess_p", 10}, {"output_scale", 0.1}};
  CHECK(optimizer.hyperparameters() == expected);
  test::LinearOracle oracle(test::normal_matrix(7, 1, 1.0, 2, "test-l2l-b"));
  Eigen::VectorXd x = test::normal_matrix(7, 1, 1.0, 3, "test-l2l-x");
  const Eigen::VectorXd x0 = x;
  optimizer.start(7);
  for (int t = 0; t < 5; ++t) {
    const StepReport report = optimizer.step(x, oracle);
    CHECK(report.evaluations == 1);
  }
  CHECK(x == x0);
}

TEST_CASE("L2L optimizer: reset between runs gives identical trajectories", "[l2l]") {
  L2lOptimizer optimizer(initial_l2l_parameters(l2l_shape(), 2));
  Eigen::VectorXd x1, x2, x3;
  const Eigen::VectorXd first = run_quadratic(optimizer, 8, 0, 30, x1);
  run_quadratic(optimizer, 5, 1, 10, x3);  // a run of another size in between
  const Eigen::VectorXd second = run_quadratic(optimizer, 8, 0, 30, x2);
  CHECK(first == second);
  CHECK(x1 == x2);
  CHECK(x1 != Eigen::VectorXd::Zero(8));
}

TEST_CASE("L2L optimizer meta-trained for a few episodes reduces a quadratic's loss", "[l2l]") {
  const Eigen::Index d = 8;
  L2lTrainingParams training;
  training.episodes = 20;
  training.horizon = 60;
  training.truncation = 20;
  training.learning_rate = 3e-3;
  training.validation_interval = 10;
  training.validation_episodes = 2;
  L2lTrainer trainer(initial_l2l_parameters(l2l_shape(), 4), {}, training,
                     test::quadratic_family(d, 31), test::quadratic_family(d, 32));
  trainer.run_until(training.episodes);
  L2lOptimizer optimizer(trainer.state().best_parameters);
  Eigen::VectorXd x;
  const Eigen::VectorXd losses = run_quadratic(optimizer, d, 1000, 60, x);  // unseen instance
  L2lOptimizer untrained(initial_l2l_parameters(l2l_shape(), 4));
  const Eigen::VectorXd untrained_losses = run_quadratic(untrained, d, 1000, 60, x);
  INFO("initial " << losses[0] << " final " << losses[60] << " untrained final "
                  << untrained_losses[60]);
  CHECK(losses.allFinite());
  CHECK(losses[60] < 0.5 * losses[0]);
  CHECK(losses[60] < untrained_losses[60]);  // the gain comes from meta-training
}

}  // namespace l2o
