// The task list of `l2o evaluate` (product order, names, architecture parsing) and the checks on
// its optimizer entries.
#include <catch2/catch.hpp>

#include "eval/evaluate_plan.hpp"
#include "util/error.hpp"

TEST_CASE("parse_architecture reads input-hidden... and rejects malformed text", "[eval]") {
  CHECK(l2o::parse_architecture("48-48") == std::pair<int, std::vector<int>>{48, {48}});
  CHECK(l2o::parse_architecture("100-200-200") ==
        std::pair<int, std::vector<int>>{100, {200, 200}});
  for (const std::string bad : {"48", "48-", "-48", "48--48", "a-b", "48-0", "48-4x", ""})
    CHECK_THROWS_AS(l2o::parse_architecture(bad), std::invalid_argument);
}

TEST_CASE("evaluation_tasks is the product datasets x architectures x batches x iterations",
          "[eval]") {
  auto config = l2o::Config::from_toml(
      "[evaluate]\ndatasets = [\"cifar10\", \"fer2013\"]\narchitectures = [\"48-48\", "
      "\"100-200\"]\n"
      "batch_sizes = [64, 10]\niterations = [400]\n[task]\nl2 = 0.5\n",
      "e.toml");
  const auto tasks = l2o::evaluation_tasks(config);
  REQUIRE(tasks.size() == 8);
  CHECK(tasks[0].name() == "cifar10_48-48_b64_t400");
  CHECK(tasks[1].name() == "cifar10_48-48_b10_t400");
  CHECK(tasks[2].name() == "cifar10_100-200_b64_t400");
  CHECK(tasks[7].name() == "fer2013_100-200_b10_t400");
  CHECK(tasks[7].spec.hidden == std::vector<int>{200});
  CHECK(tasks[7].spec.l2 == 0.5);

  config.apply_override("evaluate.architectures=[\"48-48\", \"48x48\"]");
  try {
    (void)l2o::evaluation_tasks(config);
    FAIL("no error");
  } catch (const l2o::InputError& e) {
    CHECK(std::string(e.what()) ==
          "evaluate.architectures: \"48x48\" is not an architecture like \"48-48\" "
          "(input-hidden...)");
  }
}

TEST_CASE("tuned_optimizers rejects unknown entries and a missing tune output", "[eval]") {
  CHECK_THROWS_WITH(
      l2o::tuned_optimizers("/nonexistent/tuned.h5", {"sgd", "my_lstm.h5"}),
      Catch::Contains("evaluate.optimizers: \"my_lstm.h5\" is not a hand-designed optimizer"));
  CHECK_THROWS_WITH(
      l2o::tuned_optimizers("/nonexistent/tuned.h5", {"sgd"}),
      "evaluate.tuned = \"/nonexistent/tuned.h5\": no such file; run `l2o tune` first "
      "or set evaluate.tuned");
}
