// The GPS model as a harness optimizer (gps-spec.md §15): loaded from its file and driven by
// run_optimizer it follows exactly the trajectory of GPS's own evaluation rollouts (same seeds,
// bitwise, both feature sets); the evaluation plan checks a model against every task's net (a
// deeper one included) and refuses one that lacks a policy before any run starts.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <span>

#include "eval/evaluate_plan.hpp"
#include "eval/learned_optimizer.hpp"
#include "eval/run_optimizer.hpp"
#include "gps/policy/policy_evaluation.hpp"
#include "gps/psd_test_model.hpp"
#include "gps/rollout_test_task.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using l2o::FeatureSet;

TEST_CASE("psd model through run_optimizer: the trajectory of evaluate_policies, bitwise",
          "[eval][psd]") {
  const auto& task = l2o::test::rollout_task().task;
  auto policies = l2o::test::test_gps_policies<float>(task.mlp(), 16, 401);
  const int horizon = 30, rollouts = 2;
  const std::uint64_t seed = 402;
  for (const FeatureSet features : {FeatureSet::paper, FeatureSet::scale_free}) {
    INFO(l2o::feature_set_name(features));
    const std::string path = (l2o::test::scratch_dir("psd-evaluation") / "model.h5").string();
    l2o::test::write_test_model(path, policies, features, task.mlp());
    // GPS's evaluation with the task itself as the cost set: score = (1/T) sum_t f(x^(t)).
    const l2o::PolicyEvaluation evaluation = l2o::evaluate_policies<float>(
        task, task, std::span(policies), horizon, rollouts, seed, features);
    const auto optimizer = l2o::load_learned_optimizer(path);
    REQUIRE(optimizer->name() == (features == FeatureSet::paper ? "psd" : "psd_scale_free"));
    for (int e = 0; e < rollouts; ++e) {
      const l2o::RunRecord record =
          l2o::run_optimizer(task, *optimizer, l2o::gps_evaluation_seed(seed, e), horizon, 1);
      REQUIRE(record.diverged_at == -1);
      REQUIRE(record.true_objective.size() == horizon + 1);
      double sum = 0.0;
      for (int t = 1; t <= horizon; ++t) sum += record.true_objective[t];
      CHECK(sum / horizon == evaluation.rollout_scores[static_cast<std::size_t>(e)]);
      CHECK(record.true_objective.back() != record.true_objective.front());
    }
  }
}

TEST_CASE("learned_optimizers: a psd model is checked on every task's net before any run",
          "[eval][psd]") {
  const l2o::Mlp mlp(48, {8}, 10);
  const auto dir = l2o::test::scratch_dir("psd-plan");
  const std::string path = (dir / "model.h5").string();
  l2o::test::write_test_model(path, l2o::test::test_gps_policies<float>(mlp, 4, 411),
                              FeatureSet::paper, mlp);
  l2o::EvaluationTask shallow, deep;
  shallow.spec.input_dim = 100;
  shallow.spec.hidden = {200};
  deep.spec.hidden = {48, 48};  // one layer deeper: the middle layer takes layer 1's policies
  const auto entries = l2o::learned_optimizers({path}, {shallow, deep});
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].name == "psd");
  CHECK(entries[0].model_path == path);

  // A model whose first-layer bias policy is stored under another role lacks "layer1.biases".
  const std::string incomplete = (dir / "incomplete.h5").string();
  {
    l2o::AtomicHdf5File file(incomplete);
    const auto model = file.root().create_group("model");
    l2o::write_gps_model(model, l2o::test::test_gps_policies<float>(mlp, 4, 411), FeatureSet::paper,
                         mlp);
    const auto group = model.open_group("group_1");
    H5Adelete(group.id(), "role");
    group.set_attribute("role", std::string("layer3.biases"));
    file.commit();
  }
  CHECK_THROWS_AS(l2o::learned_optimizers({incomplete}, {shallow}), l2o::InputError);
  CHECK_THROWS_WITH(l2o::learned_optimizers({incomplete}, {shallow}),
                    "evaluate.learned: " + incomplete +
                        " on task mnist_100-200_b64_t400: psd: the model has no policy for the "
                        "role \"layer1.biases\" (it has layer1.weights, layer3.biases, "
                        "layer2.weights, layer2.biases); the model file is incomplete");
}
