// The factory and the hyperparameter descriptions: names, defaults (torch's where torch has one),
// overrides by name, and the documented error messages.
#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "optim/adam.hpp"
#include "optim/make_optimizer.hpp"

namespace l2o::test {

using Catch::Matchers::Contains;

TEST_CASE("make_optimizer builds the seven optimizers by name with documented defaults",
          "[optim]") {
  const std::vector<std::string> names = {"sgd",  "momentum", "cg",     "lbfgs",
                                          "adam", "adagrad",  "rmsprop"};
  CHECK(optimizer_names() == names);
  const std::map<std::string, HyperparameterList> defaults = {
      {"sgd", {{"learning_rate", 0.01}}},
      {"momentum", {{"learning_rate", 0.01}, {"momentum", 0.9}, {"nesterov", 0.0}}},
      {"cg",
       {{"initial_step", 1.0},
        {"shrink", 0.5},
        {"sufficient_decrease", 1e-4},
        {"max_backtracks", 30.0},
        {"exact_line_search", 0.0}}},
      {"lbfgs",
       {{"initial_step", 1.0},
        {"shrink", 0.5},
        {"sufficient_decrease", 1e-4},
        {"max_backtracks", 30.0},
        {"memory", 10.0},
        {"curvature_epsilon", 1e-8}}},
      // torch.optim 1.13 defaults
      {"adam", {{"learning_rate", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}}},
      {"adagrad", {{"learning_rate", 1e-2}, {"initial_accumulator", 0.0}, {"epsilon", 1e-10}}},
      {"rmsprop", {{"learning_rate", 1e-2}, {"alpha", 0.99}, {"epsilon", 1e-8}}},
  };
  for (const std::string& name : names) {
    INFO(name);
    const auto optimizer = make_optimizer(name);
    CHECK(optimizer->name() == name);
    CHECK(optimizer->hyperparameters() == defaults.at(name));
  }
}

TEST_CASE("hyperparameters given by name override the defaults and round-trip", "[optim]") {
  const auto momentum = make_optimizer("momentum", {{"nesterov", 1}, {"learning_rate", 0.25}});
  CHECK(momentum->hyperparameters() ==
        HyperparameterList{{"learning_rate", 0.25}, {"momentum", 0.9}, {"nesterov", 1.0}});
  const auto lbfgs = make_optimizer("lbfgs", {{"memory", 5}, {"initial_step", 0.1}});
  const HyperparameterList listed = lbfgs->hyperparameters();
  const std::map<std::string, double> as_map(listed.begin(), listed.end());
  CHECK(make_optimizer("lbfgs", as_map)->hyperparameters() == listed);
  CHECK(as_map.at("memory") == 5.0);
  CHECK(as_map.at("initial_step") == 0.1);
}

TEST_CASE("unknown names are rejected with the valid ones listed", "[optim]") {
  CHECK_THROWS_AS(make_optimizer("newton"), std::invalid_argument);
  CHECK_THROWS_WITH(make_optimizer("newton"),
                    Contains("unknown optimizer \"newton\"") &&
                        Contains("sgd momentum cg lbfgs adam adagrad rmsprop"));
  CHECK_THROWS_AS(make_optimizer("adam", {{"lr", 0.1}}), std::invalid_argument);
  CHECK_THROWS_WITH(make_optimizer("adam", {{"lr", 0.1}}),
                    Contains("adam: unknown hyperparameter \"lr\"") &&
                        Contains("valid: learning_rate beta1 beta2 epsilon"));
}

TEST_CASE("a bad hyperparameter value names the field", "[optim]") {
  struct Case {
    std::string optimizer, field;
    double value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"sgd", "learning_rate", 0.0, "sgd.learning_rate must be finite and > 0 (got 0)"},
      {"momentum", "momentum", 1.0, "momentum.momentum must be in [0, 1) (got 1)"},
      {"momentum", "nesterov", 0.5, "momentum.nesterov must be 0 or 1 (got 0.5)"},
      {"cg", "shrink", 1.5, "cg.shrink must be in (0, 1) (got 1.5)"},
      {"cg", "max_backtracks", 2.5, "cg.max_backtracks must be an integer (got 2.5)"},
      {"lbfgs", "memory", 0.0, "lbfgs.memory must be >= 1 (got 0)"},
      {"lbfgs", "curvature_epsilon", -1.0, "lbfgs.curvature_epsilon must be in [0, 1) (got -1)"},
      {"adam", "beta2", 1.0, "adam.beta2 must be in [0, 1) (got 1)"},
      {"adam", "epsilon", 0.0, "adam.epsilon must be finite and > 0 (got 0)"},
      {"adagrad", "initial_accumulator", -0.1,
       "adagrad.initial_accumulator must be finite and >= 0 (got -0.10000000000000001)"},
      {"rmsprop", "alpha", 1.0, "rmsprop.alpha must be in [0, 1) (got 1)"},
  };
  for (const Case& c : cases) {
    INFO(c.optimizer << "." << c.field);
    CHECK_THROWS_AS(make_optimizer(c.optimizer, {{c.field, c.value}}), std::invalid_argument);
    CHECK_THROWS_WITH(make_optimizer(c.optimizer, {{c.field, c.value}}), c.message);
  }
  // The same check guards direct construction.
  AdamParameters parameters;
  parameters.beta1 = -0.1;
  CHECK_THROWS_WITH(Adam(parameters), Contains("adam.beta1"));
}

}  // namespace l2o::test
