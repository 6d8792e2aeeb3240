// What the harness relies on, for all seven optimizers: reported losses and evaluation counts,
// per-run state reset by start(), and errors on misuse.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "optim/function_oracles.hpp"
#include "optim/make_optimizer.hpp"

namespace l2o::test {
namespace {

/// Iterates of `steps` iterations on the 4-D Rosenbrock function from a fixed start.
std::vector<Eigen::VectorXd> rosenbrock_run(Optimizer& optimizer, int steps) {
  RosenbrockOracle oracle(4);
  optimizer.start(4);
  Eigen::VectorXd x(4);
  x << -1.2, 1.0, -0.5, 0.8;
  std::vector<Eigen::VectorXd> iterates;
  for (int t = 0; t < steps; ++t) {
    optimizer.step(x, oracle);
    iterates.push_back(x);
  }
  return iterates;
}

/// Small-step hyperparameters so every optimizer stays finite on Rosenbrock.
std::map<std::string, double> gentle(const std::string& name) {
  if (name == "cg" || name == "lbfgs") return {};
  return {{"learning_rate", 1e-3}};
}

}  // namespace

TEST_CASE("reports give the starting loss and the oracle calls of the iteration", "[optim]") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto optimizer = make_optimizer(name, gentle(name));
    RosenbrockOracle oracle(4);
    RosenbrockOracle evaluator(4);  // for the expected loss, without touching the counts
    optimizer->start(4);
    Eigen::VectorXd x(4);
    x << -1.2, 1.0, -0.5, 0.8;
    std::int64_t reported = 0;
    bool some_backtracking = false;
    for (int t = 0; t < 40; ++t) {
      const double expected_loss = evaluator.loss(x);
      const std::int64_t calls_before = oracle.calls;
      const StepReport report = optimizer->step(x, oracle);
      CHECK(report.loss == expected_loss);
      CHECK(report.evaluations == oracle.calls - calls_before);
      CHECK_FALSE(report.line_search_failed);
      if (name == "cg" || name == "lbfgs") {
        CHECK(report.evaluations >= 2);  // the gradient, then at least one trial
        some_backtracking = some_backtracking || report.evaluations > 2;
      } else {
        CHECK(report.evaluations == 1);
      }
      reported += report.evaluations;
    }
    CHECK(reported == oracle.calls);
    CHECK(oracle.evaluations() == oracle.calls);
    if (name == "cg" || name == "lbfgs") CHECK(some_backtracking);
  }
}

TEST_CASE("line-search optimizers count every trial and survive a failed search", "[optim]") {
  // f = 0.5 x^2 from x = 1: the first direction is -g = -1; with initial_step 8 the Armijo trials
  // are 8, 4, 2 (rejected) and 1 (accepted, x = 0): 1 gradient + 4 trials. With max_backtracks 2
  // the search gives up after 3 trials and x stays put.
  for (const std::string name : {"cg", "lbfgs"}) {
    INFO(name);
    LogCoshQuadraticOracle oracle(Eigen::MatrixXd::Identity(1, 1), Eigen::VectorXd::Zero(1), 0.0);
    Eigen::VectorXd x = Eigen::VectorXd::Ones(1);

    const auto optimizer = make_optimizer(name, {{"initial_step", 8.0}});
    optimizer->start(1);
    const StepReport report = optimizer->step(x, oracle);
    CHECK(report.evaluations == 5);
    CHECK(report.loss == 0.5);
    CHECK_FALSE(report.line_search_failed);
    CHECK(x(0) == 0.0);

    x(0) = 1.0;
    const auto failing = make_optimizer(name, {{"initial_step", 8.0}, {"max_backtracks", 2}});
    failing->start(1);
    const StepReport failed = failing->step(x, oracle);
    CHECK(failed.evaluations == 4);
    CHECK(failed.line_search_failed);
    CHECK(x(0) == 1.0);
  }
}

TEST_CASE("start() resets the per-run state: one object runs twice identically", "[optim]") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto optimizer = make_optimizer(name, gentle(name));
    const auto first = rosenbrock_run(*optimizer, 30);
    const auto second = rosenbrock_run(*optimizer, 30);
    const auto fresh = rosenbrock_run(*make_optimizer(name, gentle(name)), 30);
    REQUIRE(first.size() == 30);
    CHECK(first.front() != first.back());  // state had something to remember
    for (std::size_t t = 0; t < first.size(); ++t) {
      CHECK(second[t] == first[t]);  // bitwise
      CHECK(fresh[t] == first[t]);
    }
  }
}

TEST_CASE("misuse is reported", "[optim]") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto optimizer = make_optimizer(name);
    RosenbrockOracle oracle(3);
    Eigen::VectorXd x = Eigen::VectorXd::Zero(3);
    CHECK(optimizer->dimension() == -1);
    CHECK_THROWS_AS(optimizer->step(x, oracle), std::logic_error);
    CHECK_THROWS_AS(optimizer->start(0), std::invalid_argument);
    optimizer->start(2);
    CHECK(optimizer->dimension() == 2);
    CHECK_THROWS_AS(optimizer->step(x, oracle), std::invalid_argument);  // x and oracle have 3
    CHECK(oracle.calls == 0);
  }
}

}  // namespace l2o::test
