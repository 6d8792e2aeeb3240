// The tuning grid, its scoring rule and the choice of the best setting, against hand-computed
// values; and the [tune] config keys.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "eval/sweep.hpp"
#include "eval/tune_grid.hpp"
#include "util/error.hpp"

namespace {

l2o::RunRecord curve(std::vector<std::int64_t> t, std::vector<double> f) {
  l2o::RunRecord record;
  record.recorded_iterations = std::move(t);
  record.true_objective = std::move(f);
  return record;
}

}  // namespace

TEST_CASE("curve_score is the trapezoid mean over the recorded iterations", "[eval]") {
  // f = 2 - t/10 recorded at 0, 10, 20, 25: the exact mean over [0, 25] is 2 - 1.25 = 0.75
  // (the trapezoid rule is exact for linear f, including the short last interval).
  CHECK(l2o::curve_score(curve({0, 10, 20, 25}, {2.0, 1.0, 0.0, -0.5})) ==
        Approx(0.75).epsilon(1e-15));
  // Non-linear: points (0,4), (10,1), (30,0): (2.5*10 + 0.5*20) / 30.
  CHECK(l2o::curve_score(curve({0, 10, 30}, {4.0, 1.0, 0.0})) ==
        Approx(35.0 / 30.0).epsilon(1e-15));
  CHECK(l2o::curve_score(curve({0}, {3.5})) == 3.5);
  auto diverged = curve({0, 10}, {1.0, 20.0});
  diverged.diverged_at = 10;
  CHECK(l2o::curve_score(diverged) == std::numeric_limits<double>::infinity());
}

TEST_CASE("default grid: half-decade learning rates 1e-5..10 and the per-optimizer products",
          "[eval]") {
  const l2o::Config config;
  const auto grid = l2o::TuneGrid::from_config(config);
  REQUIRE(grid.learning_rates.size() == 13);
  CHECK(grid.learning_rates.front() == Approx(1e-5).epsilon(1e-15));
  CHECK(grid.learning_rates[1] == Approx(std::sqrt(10.0) * 1e-5).epsilon(1e-15));
  CHECK(grid.learning_rates.back() == Approx(10.0).epsilon(1e-15));
  for (std::size_t i = 1; i < grid.learning_rates.size(); ++i)
    CHECK(grid.learning_rates[i] / grid.learning_rates[i - 1] ==
          Approx(std::sqrt(10.0)).epsilon(1e-14));

  const auto settings = l2o::tune_settings(grid, config.strings("tune.optimizers"));
  const std::size_t lr = 13, steps = grid.initial_steps.size();
  CHECK(settings.size() == lr + lr * 3 + steps + steps + lr * 3 + lr + lr * 3);
  // Momentum block starts after sgd's 13; the decay parameter varies fastest.
  CHECK(settings[lr].optimizer == "momentum");
  CHECK(settings[lr].hyperparameters.at("momentum") == 0.5);
  CHECK(settings[lr + 1].hyperparameters.at("momentum") == 0.9);
  CHECK(settings[lr + 1].hyperparameters.at("learning_rate") == grid.learning_rates[0]);
  CHECK(settings[lr + 3].hyperparameters.at("learning_rate") == grid.learning_rates[1]);
  CHECK(settings[lr + 1].label() == "learning_rate=1e-05 momentum=0.9");
  CHECK(settings[lr + 3 * lr].optimizer == "cg");
  CHECK(settings[lr + 3 * lr].hyperparameters.count("initial_step") == 1);
}

TEST_CASE("tune_settings honours a subset and rejects unknown optimizers", "[eval]") {
  l2o::TuneGrid grid{{0.1, 1.0}, {0.9}, {0.5, 0.9}, {0.99}, {1.0}};
  const auto settings = l2o::tune_settings(grid, {"adam", "lbfgs"});
  REQUIRE(settings.size() == 5);
  CHECK(settings[0].label() == "learning_rate=0.1 beta1=0.5");
  CHECK(settings[3].label() == "learning_rate=1 beta1=0.9");
  CHECK(settings[4].label() == "initial_step=1");
  CHECK_THROWS_AS(l2o::tune_settings(grid, {"sgd", "newton"}), std::invalid_argument);
}

TEST_CASE("refinement_steps: best*10^(k/n) for 0 < |k| < n/2, strictly inside the half decade",
          "[eval]") {
  // n = 8 (the default): k = -3..-1, 1..3. With the best's half-decade neighbours (k = -4, 4) and
  // the best itself they make a geometric grid of ratio 10^(1/8) from best/sqrt(10) to
  // best*sqrt(10), the 9 points of the two coarse intervals.
  const double best = 0.031622776601683795;
  const auto steps = l2o::refinement_steps(best, 8);
  REQUIRE(steps.size() == 6);
  std::vector<double> grid = {best / std::sqrt(10.0)};
  grid.insert(grid.end(), steps.begin(), steps.begin() + 3);
  grid.push_back(best);
  grid.insert(grid.end(), steps.begin() + 3, steps.end());
  grid.push_back(best * std::sqrt(10.0));
  for (std::size_t i = 1; i < grid.size(); ++i)
    CHECK(grid[i] / grid[i - 1] == Approx(std::pow(10.0, 0.125)).epsilon(1e-14));
  CHECK(steps.front() == Approx(best * std::pow(10.0, -0.375)).epsilon(1e-15));
  // n = 4: the quarter-decade points; odd n = 5: k = -2..2 (10^(+-0.4) < 10^(1/2)); n = 3.
  const auto quarter = l2o::refinement_steps(1.0, 4);
  REQUIRE(quarter.size() == 2);
  CHECK(quarter[0] == Approx(std::pow(10.0, -0.25)).epsilon(1e-15));
  CHECK(quarter[1] == Approx(std::pow(10.0, 0.25)).epsilon(1e-15));
  const auto fifths = l2o::refinement_steps(2.0, 5);
  REQUIRE(fifths.size() == 4);
  CHECK(fifths[0] == Approx(2.0 * std::pow(10.0, -0.4)).epsilon(1e-15));
  CHECK(fifths[3] == Approx(2.0 * std::pow(10.0, 0.4)).epsilon(1e-15));
  CHECK(l2o::refinement_steps(1e-3, 3).size() == 2);
  // Every point is strictly within half a decade of the best and none is the best.
  for (const std::int64_t n : {3, 4, 5, 8, 9, 16})
    for (const double step : l2o::refinement_steps(1e-3, n)) {
      CHECK(std::abs(std::log10(step / 1e-3)) < 0.5);
      CHECK(step != 1e-3);
    }
  CHECK(l2o::refinement_steps(1e-3, 16).size() == 14);
  CHECK_THROWS_AS(l2o::refinement_steps(1.0, 2), std::invalid_argument);
  CHECK_THROWS_AS(l2o::refinement_steps(0.0, 8), std::invalid_argument);
}

TEST_CASE("refinement_settings: refined step lengths crossed with the optimizer's other grid",
          "[eval]") {
  const l2o::TuneGrid grid{{1e-3, 1e-2}, {0.5, 0.9, 0.99}, {0.9}, {0.99}, {0.1, 1.0}};
  const auto momentum =
      l2o::refinement_settings(grid, {"momentum", {{"learning_rate", 0.01}, {"momentum", 0.9}}}, 8);
  REQUIRE(momentum.size() == 6 * 3);
  const auto steps = l2o::refinement_steps(0.01, 8);
  for (std::size_t i = 0; i < momentum.size(); ++i) {
    CHECK(momentum[i].optimizer == "momentum");
    CHECK(momentum[i].hyperparameters.at("learning_rate") == steps[i / 3]);    // slowest
    CHECK(momentum[i].hyperparameters.at("momentum") == grid.momenta[i % 3]);  // the full grid
  }
  const auto lbfgs = l2o::refinement_settings(grid, {"lbfgs", {{"initial_step", 1.0}}}, 4);
  REQUIRE(lbfgs.size() == 2);
  CHECK(lbfgs[0].hyperparameters.at("initial_step") == l2o::refinement_steps(1.0, 4)[0]);
  CHECK(lbfgs[1].label() == "initial_step=1.77828");
}

TEST_CASE("setting_scores: the mean score over each setting's seeds, +inf if one diverged",
          "[eval]") {
  auto diverged = curve({0, 10}, {1.0, 9.0});
  diverged.diverged_at = 10;
  const l2o::UnitRecords records = {{0, curve({0, 10}, {2.0, 1.0})},  // setting 0: 1.5
                                    {1, curve({0, 10}, {1.0, 0.0})},  //            0.5
                                    {2, curve({0, 10}, {4.0, 2.0})},  // setting 1: 3
                                    {3, diverged}};
  const auto scores = l2o::setting_scores(records, 2, 2);
  REQUIRE(scores.size() == 2);
  CHECK(scores[0] == 1.0);
  CHECK(scores[1] == std::numeric_limits<double>::infinity());
  CHECK_THROWS(l2o::setting_scores(records, 3, 2));  // units 4, 5 missing
}

TEST_CASE("choose_settings takes the lowest score per optimizer, earliest on ties", "[eval]") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<l2o::TuneSetting> settings = {{"sgd", {{"learning_rate", 0.1}}},
                                                  {"sgd", {{"learning_rate", 1.0}}},
                                                  {"sgd", {{"learning_rate", 10.0}}},
                                                  {"adam", {{"learning_rate", 1.0}}},
                                                  {"adam", {{"learning_rate", 10.0}}}};
  const auto choices = l2o::choose_settings(settings, {0.5, 0.3, 0.3, inf, inf});
  REQUIRE(choices.size() == 2);
  CHECK(choices[0].optimizer == "sgd");
  CHECK(choices[0].setting == 1);
  CHECK(choices[0].score == 0.3);
  CHECK(choices[1].optimizer == "adam");
  CHECK(choices[1].setting == 3);  // every setting diverged: the first, score +inf
  CHECK(choices[1].score == inf);
  CHECK_THROWS_AS(l2o::choose_settings(settings, {0.5}), std::invalid_argument);
}

TEST_CASE("[tune] keys: lists parse, round-trip, and bad values name the key", "[eval]") {
  const auto config = l2o::Config::from_toml(
      "[tune]\noptimizers = [\"sgd\", \"adam\"]\nlearning_rates = [0.1, 1]\nseeds = 2\n", "t.toml");
  CHECK(config.strings("tune.optimizers") == std::vector<std::string>{"sgd", "adam"});
  CHECK(config.reals("tune.learning_rates") == std::vector<double>{0.1, 1.0});
  const auto again = l2o::Config::from_toml(config.to_toml(), "again");
  CHECK(again.reals("tune.learning_rates") == config.reals("tune.learning_rates"));
  CHECK(again.reals("tune.initial_steps") == l2o::Config().reals("tune.initial_steps"));  // exact
  CHECK(again.strings("evaluate.datasets") == l2o::Config().strings("evaluate.datasets"));

  auto error = [](const std::string& text) {
    try {
      (void)l2o::Config::from_toml(text, "t.toml");
    } catch (const l2o::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error("[tune]\noptimizers = [\"sgd\", \"newton\"]\n") ==
        "t.toml:2:1: tune.optimizers must be a non-empty list of strings, each one of \"sgd\", "
        "\"momentum\", \"cg\", \"lbfgs\", \"adam\", \"adagrad\", \"rmsprop\", got an element "
        "\"newton\"");
  CHECK(
      error("[tune]\nlearning_rates = []\n") ==
      "t.toml:2:1: tune.learning_rates must be a non-empty list of numbers each in [1e-300, inf], "
      "got an empty list");
  CHECK(error("[tune]\nmomenta = [0.9, 1.5]\n").find("got an element 1.5") != std::string::npos);
  CHECK(error("[tune]\nseeds = 0\n").find("tune.seeds must be an integer in [1, 100000]") !=
        std::string::npos);
  CHECK(error("[tune]\nrefine_points_per_decade = 2\n")
            .find("tune.refine_points_per_decade must be an integer in [3, 1000]") !=
        std::string::npos);
  CHECK(l2o::Config().string("tune.refine").empty());  // no refinement unless asked
  CHECK(error("[tune]\nrecord_evry = 5\n") ==
        "t.toml:2:1: unknown key 'tune.record_evry'; did you mean 'tune.record_every'?");
  CHECK(error("[evaluate]\ndatasets = \"cifar10\"\n").find("got a string") != std::string::npos);
}
