// The delivered GPS optimizer (gps-spec.md §15): the model file read back gives the policies that
// were written; the test-time step equals per-coordinate reference LSTM cells on the normalised
// observations; the optimizer finds policies by role, runs a 100-200-10 net (other sizes, same
// roles) beyond 400 steps independently of the thread count, and refuses a net with a role the
// model lacks; damaged model files fail with one line naming the object. Both feature sets.
#include <hdf5.h>
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "gps/files/gps_model_file.hpp"
#include "gps/policy/predicted_step_descent.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "gps/psd_test_model.hpp"
#include "gps/rollout_test_task.hpp"
#include "nn/lstm_reference.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;
using l2o::FeatureSet;
using l2o::GpsModel;
using l2o::GpsPolicy;
using l2o::Mlp;

namespace {

// The model of `policies` on the groups of `mlp`, as read_gps_model returns it.
GpsModel model_of(const std::vector<GpsPolicy>& policies, const Mlp& mlp, FeatureSet features) {
  GpsModel model;
  model.features = features;
  for (std::size_t g = 0; g < policies.size(); ++g)
    model.groups.push_back({mlp.groups()[g].role, policies[g]});
  return model;
}

// Iterates x^(1..steps) of `optimizer` on `task` from the seeded start, as run_optimizer drives it.
std::vector<VectorXd> trajectory(l2o::Optimizer& optimizer, const l2o::MlpTask& task, int steps,
                                 std::uint64_t seed) {
  VectorXd x = task.mlp().initial_parameters(seed);
  auto sampler = task.sampler(seed);
  l2o::MlpMinibatchOracle oracle(task);
  optimizer.start(task.mlp().groups());
  std::vector<VectorXd> iterates;
  for (int t = 0; t < steps; ++t) {
    oracle.set_batch(sampler.batch(t));
    const l2o::StepReport report = optimizer.step(x, oracle);
    REQUIRE(std::isfinite(report.loss));
    REQUIRE(report.evaluations == 1);
    iterates.push_back(x);
  }
  return iterates;
}

const FeatureSet kBothFeatureSets[] = {FeatureSet::paper, FeatureSet::scale_free};

}  // namespace

TEST_CASE("gps model file: written then read back gives the same policies", "[psd]") {
  const Mlp mlp(48, {8}, 10);
  const auto policies = l2o::test::test_gps_policies<float>(mlp, 16, 301);
  for (const FeatureSet features : kBothFeatureSets) {
    const std::string path = (l2o::test::scratch_dir("psd-model") / "model.h5").string();
    l2o::test::write_test_model(path, policies, features, mlp);
    GpsModel model = l2o::read_gps_model(l2o::open_hdf5_for_reading(path).open_group("model"));
    CHECK(model.features == features);
    REQUIRE(model.groups.size() == 4);
    const MatrixXd observations = l2o::test::raw_observations(30, 1, 302);
    for (std::size_t g = 0; g < 4; ++g) {
      GpsPolicy& read = model.groups[g].policy;
      GpsPolicy written = policies[g];
      CHECK(model.groups[g].role == mlp.groups()[g].role);
      CHECK(read.shape().hidden_size == 16);
      // The file stores the float weights the LSTM computes with: those round-trip exactly, the
      // double omega comes back rounded to float, at most half a float ulp away.
      CHECK(read.compute_weights().values() == written.compute_weights().values());
      CHECK(read.weights().values() ==
            written.weights().values().cast<float>().cast<double>().eval());
      CHECK((read.weights().values() - written.weights().values()).cwiseAbs().maxCoeff() <=
            0.5 * std::numeric_limits<float>::epsilon() *
                written.weights().values().cwiseAbs().maxCoeff());
      CHECK(read.constants().normalisation.scale == written.constants().normalisation.scale);
      CHECK(read.constants().normalisation.offset == written.constants().normalisation.offset);
      CHECK(read.constants().action_scale == written.constants().action_scale);
      VectorXd read_steps(30), written_steps(30);
      auto read_memory = read.initial_memory(30);
      auto written_memory = written.initial_memory(30);
      read.step(observations, read_memory, read_steps);
      written.step(observations, written_memory, written_steps);
      CHECK(read_steps == written_steps);
    }
  }
}

TEST_CASE("gps model file: a damaged model fails with one line naming the object", "[psd]") {
  const Mlp mlp(48, {8}, 10);
  const auto policies = l2o::test::test_gps_policies<float>(mlp, 4, 311);
  const auto dir = l2o::test::scratch_dir("psd-model-damaged");
  // A valid model in `name`, then `damage` applied to its /model group.
  const auto damaged = [&](const std::string& name, const auto& damage) {
    const std::string path = (dir / name).string();
    {
      l2o::AtomicHdf5File file(path);
      const auto model = file.root().create_group("model");
      l2o::write_gps_model(model, policies, FeatureSet::paper, mlp);
      damage(model);
      file.commit();
    }
    return path;
  };
  const auto replace_string = [](const l2o::Hdf5Group& group, const char* name,
                                 const std::string& value) {
    H5Adelete(group.id(), name);
    group.set_attribute(name, value);
  };
  const auto error_of = [](const std::string& path) -> std::string {
    try {
      (void)l2o::read_gps_model(l2o::open_hdf5_for_reading(path).open_group("model"));
    } catch (const l2o::InputError& e) {
      const std::string message = e.what();
      CHECK(message.find('\n') == std::string::npos);
      return message;
    }
    FAIL("no InputError for " + path);
    return {};
  };

  const auto features = damaged("features.h5", [&](const l2o::Hdf5Group& model) {
    replace_string(model, "features", "adam_like");
  });
  CHECK(error_of(features) == features +
                                  ":/model/features: unknown feature set \"adam_like\"; use "
                                  "\"paper\", \"scale_free\" or \"adaptive\"; the model is "
                                  "damaged or from a newer l2o");
  const auto method = damaged(
      "method.h5", [&](const l2o::Hdf5Group& model) { replace_string(model, "method", "l2l"); });
  CHECK(error_of(method) == method + ":/model/method: \"l2l\", expected \"psd\"; not a GPS model");
  const auto missing = damaged("missing.h5", [](const l2o::Hdf5Group& model) {
    H5Ldelete(model.open_group("group_1").id(), "observation_offset", H5P_DEFAULT);
  });
  CHECK(error_of(missing) == missing + ":/model/group_1/observation_offset: dataset missing");
  const auto count = damaged("count.h5", [](const l2o::Hdf5Group& model) {
    H5Adelete(model.id(), "group_count");
    model.set_attribute("group_count", std::int64_t{5});
  });
  CHECK(error_of(count) == count + ":/model/group_4: group missing");
  const auto role = damaged("role.h5", [&](const l2o::Hdf5Group& model) {
    replace_string(model.open_group("group_2"), "role", "layer1.weights");
  });
  CHECK(error_of(role) == role +
                              ":/model/group_2/role: \"layer1.weights\" repeats an earlier "
                              "group's role; the model file is damaged");
  const auto size = damaged("size.h5", [](const l2o::Hdf5Group& model) {
    const auto group = model.open_group("group_0");
    H5Adelete(group.id(), "hidden_size");
    group.set_attribute("hidden_size", std::int64_t{5});  // 4 cells: 149 weights, 5: 206
  });
  CHECK(error_of(size) == size +
                              ":/model/group_0/weights: has 149 values, expected a vector of 206 "
                              "(rewrite the policy with this version of l2o)");
  const auto huge = damaged("huge.h5", [](const l2o::Hdf5Group& model) {
    const auto group = model.open_group("group_3");
    H5Adelete(group.id(), "hidden_size");
    group.set_attribute("hidden_size", std::int64_t{1} << 40);
  });
  CHECK(error_of(huge).find(":/model/group_3/hidden_size: must be in [1, 100000]") !=
        std::string::npos);
  const auto not_finite = damaged("not_finite.h5", [](const l2o::Hdf5Group& model) {
    const auto group = model.open_group("group_3");
    H5Ldelete(group.id(), "weights", H5P_DEFAULT);
    std::vector<double> weights(149, 0.1);
    weights[7] = std::numeric_limits<double>::quiet_NaN();
    group.write("weights", weights);
  });
  CHECK(error_of(not_finite) ==
        not_finite + ":/model/group_3/weights: non-finite values; the model file is damaged");
}

TEST_CASE("predicted step descent: steps equal reference LSTM cells per coordinate (gps-spec 15)",
          "[psd]") {
  const auto& task = l2o::test::rollout_task().task;
  const auto& groups = task.mlp().groups();
  for (const FeatureSet features : kBothFeatureSets) {
    INFO(l2o::feature_set_name(features));
    auto policies = l2o::test::test_gps_policies<double>(task.mlp(), 6, 321);
    std::vector<l2o::LstmPolicy<double>*> pointers;
    for (auto& policy : policies) pointers.push_back(&policy);
    l2o::PredictedStepDescent<double> descent(groups, pointers, features);

    // Reference: the tested feature history, then per coordinate o~ = diag(beta_g) o + zeta_g,
    // one scalar-loop LSTM cell from zero memory, step sigma_a,g y.
    l2o::FeatureHistory history(task.dimension(), features);
    const Eigen::Index d = task.dimension();
    std::vector<std::vector<VectorXd>> h(d, {VectorXd::Zero(6)}), c(d, {VectorXd::Zero(6)});
    VectorXd x = task.mlp().initial_parameters(322), gradient(d), expected(d);
    MatrixXd observations(d, 3);
    auto sampler = task.sampler(322);
    l2o::MlpWorkspace workspace;
    for (int t = 0; t < 12; ++t) {
      const double loss = task.batch_objective(x, sampler.batch(t), gradient.data(), workspace);
      history.push(loss, gradient, x);
      history.observation_features(observations);
      for (std::size_t g = 0; g < groups.size(); ++g) {
        const l2o::PolicyConstants& constants = policies[g].constants();
        for (Eigen::Index j = groups[g].offset; j < groups[g].offset + groups[g].size; ++j) {
          const VectorXd input =
              constants.normalisation.scale.cwiseProduct(observations.row(j).transpose()) +
              constants.normalisation.offset;
          expected(j) = constants.action_scale *
                        l2o::lstm_reference_step(policies[g].weights(), input, h[j], c[j])(0);
        }
      }
      const VectorXd& steps = descent.steps(loss, gradient, x);
      INFO("t = " << t);
      REQUIRE(steps.size() == d);
      CHECK((steps - expected).cwiseAbs().maxCoeff() <= 1e-13 * expected.cwiseAbs().maxCoeff());
      CHECK(steps.cwiseAbs().minCoeff() > 0.0);
      x += steps;
    }
    // reset() starts a new run: the first step again.
    descent.reset();
    VectorXd x0 = task.mlp().initial_parameters(322);
    l2o::PredictedStepDescent<double> fresh(groups, pointers, features);
    const double loss = task.batch_objective(x0, sampler.batch(0), gradient.data(), workspace);
    CHECK(descent.steps(loss, gradient, x0) == fresh.steps(loss, gradient, x0));
  }
}

TEST_CASE("psd optimizer: policies are found by role, not by group index", "[psd]") {
  const auto& task = l2o::test::rollout_task().task;
  const auto policies = l2o::test::test_gps_policies<float>(task.mlp(), 8, 331);
  for (const FeatureSet features : kBothFeatureSets) {
    GpsModel in_order = model_of(policies, task.mlp(), features);
    GpsModel reversed = in_order;
    std::reverse(reversed.groups.begin(), reversed.groups.end());
    l2o::PsdOptimizer a(std::move(in_order)), b(std::move(reversed));
    const auto first = trajectory(a, task, 20, 332);
    CHECK(first == trajectory(b, task, 20, 332));
    // The steps are the policies' own: a second run from start() repeats the first.
    CHECK(first == trajectory(a, task, 20, 332));
    CHECK(first.back() != task.mlp().initial_parameters(332));
  }
}

TEST_CASE("psd optimizer: a 100-200-10 net with the roles of 48-8-10, 450 steps, any thread count",
          "[psd]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "mnist", "train");
  const auto data =
      std::make_shared<l2o::ProjectedData>(l2o::RandomProjection(train, 100, 1).apply(train));
  const l2o::MlpTask task(data, Mlp(100, {200}, 10), 64);
  REQUIRE(task.dimension() == 100 * 200 + 200 + 200 * 10 + 10);
  const Mlp trained_on(48, {8}, 10);
  const auto policies = l2o::test::test_gps_policies<float>(trained_on, 8, 341);
  for (const FeatureSet features : kBothFeatureSets) {
    INFO(l2o::feature_set_name(features));
    l2o::PsdOptimizer optimizer(model_of(policies, trained_on, features));
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto one_thread = trajectory(optimizer, task, 450, 342);
    // The layer-1 group spans 40 row blocks of the LSTM engine: 2 threads take different blocks.
    omp_set_num_threads(2);
    const auto two_threads = trajectory(optimizer, task, 20, 342);
    omp_set_num_threads(saved);
    CHECK(one_thread.back().allFinite());
    CHECK(std::isfinite(task.true_objective(one_thread.back())));
    CHECK(one_thread.back() != task.mlp().initial_parameters(342));
    CHECK(one_thread[420] != one_thread[419]);  // still stepping after 400
    CHECK(std::equal(two_threads.begin(), two_threads.end(), one_thread.begin()));
  }
}

TEST_CASE("psd optimizer: a 3-layer net takes the first-layer policy for its middle layer",
          "[psd]") {
  // The generalisation figure's mapping (psd_optimizer.hpp, policy_role): layer 1 -> layer 1,
  // layer 2 (hidden to hidden) -> layer 1, layer 3 (softmax) -> layer 2; checked against a run
  // given exactly those policies.
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "mnist", "train");
  const auto data =
      std::make_shared<l2o::ProjectedData>(l2o::RandomProjection(train, 20, 1).apply(train));
  const l2o::MlpTask task(data, Mlp(20, {12, 12}, 10), 32);
  const Mlp trained_on(48, {8}, 10);
  for (const FeatureSet features : kBothFeatureSets) {
    INFO(l2o::feature_set_name(features));
    auto policies = l2o::test::test_gps_policies<float>(trained_on, 6, 361);
    l2o::PsdOptimizer optimizer(model_of(policies, trained_on, features));
    const auto iterates = trajectory(optimizer, task, 15, 362);

    const std::vector<l2o::LstmPolicy<float>*> expected_policies{
        &policies[0], &policies[1], &policies[0], &policies[1], &policies[2], &policies[3]};
    l2o::PredictedStepDescent<float> descent(task.mlp().groups(), expected_policies, features);
    VectorXd x = task.mlp().initial_parameters(362), gradient(task.dimension());
    auto sampler = task.sampler(362);
    l2o::MlpWorkspace workspace;
    for (int t = 0; t < 15; ++t) {
      const double loss = task.batch_objective(x, sampler.batch(t), gradient.data(), workspace);
      x += descent.steps(loss, gradient, x);
      INFO("t = " << t);
      REQUIRE(x == iterates[t]);
    }
    // Another mapping moves the middle layer differently: the check above can fail.
    l2o::PredictedStepDescent<float> wrong(
        task.mlp().groups(),
        {&policies[0], &policies[1], &policies[2], &policies[3], &policies[2], &policies[3]},
        features);
    VectorXd y = task.mlp().initial_parameters(362);
    const double loss = task.batch_objective(y, sampler.batch(0), gradient.data(), workspace);
    y += wrong.steps(loss, gradient, y);
    CHECK(y != iterates[0]);
  }
}

TEST_CASE("psd optimizer: a role the model lacks, or no groups at start, is an error", "[psd]") {
  const Mlp trained_on(48, {8}, 10);
  l2o::PsdOptimizer optimizer(model_of(l2o::test::test_gps_policies<float>(trained_on, 4, 351),
                                       trained_on, FeatureSet::scale_free));
  CHECK(optimizer.name() == "psd_scale_free");
  const l2o::HyperparameterList hyperparameters = optimizer.hyperparameters();
  REQUIRE(hyperparameters.size() == 9);
  CHECK(hyperparameters[0] == std::pair<std::string, double>{"scale_free_features", 1.0});
  CHECK(hyperparameters[1] == std::pair<std::string, double>{"layer1.weights.hidden_size", 4.0});
  CHECK(hyperparameters[8] == std::pair<std::string, double>{"layer2.biases.action_scale", 4e-3});
  CHECK_NOTHROW(optimizer.check_groups(Mlp(100, {200}, 2).groups()));
  CHECK_NOTHROW(optimizer.check_groups(Mlp(100, {200, 200}, 2).groups()));

  // A model without a policy for the first layer's biases.
  GpsModel incomplete = model_of(l2o::test::test_gps_policies<float>(trained_on, 4, 352),
                                 trained_on, FeatureSet::paper);
  incomplete.groups.erase(incomplete.groups.begin() + 1);
  l2o::PsdOptimizer lacking(std::move(incomplete));
  const std::string message =
      "psd: the model has no policy for the role \"layer1.biases\" (it has layer1.weights, "
      "layer2.weights, layer2.biases); the model file is incomplete";
  CHECK_THROWS_WITH(lacking.check_groups(trained_on.groups()), message);
  CHECK_THROWS_AS(lacking.start(trained_on.groups()), std::invalid_argument);
  CHECK_THROWS_WITH(lacking.start(trained_on.groups()), message);
  // The middle layer of a deeper net is named with the policy it lacks.
  CHECK_THROWS_WITH(lacking.check_groups(Mlp(48, {8, 8}, 10).groups()), message);
  const std::vector<l2o::ParameterGroup> deeper = Mlp(48, {8, 8}, 10).groups();
  CHECK_THROWS_WITH(lacking.check_groups({deeper[0], deeper[2], deeper[3], deeper[4], deeper[5]}),
                    "psd: the model has no policy for the role \"layer1.biases\" (for "
                    "\"layer2.biases\") (it has layer1.weights, layer2.weights, layer2.biases); "
                    "the model file is incomplete");
  CHECK_THROWS_WITH(optimizer.start(trained_on.dimension()),
                    Catch::Contains("psd: acts per parameter group"));
  // Groups that do not tile the parameter vector.
  std::vector<l2o::ParameterGroup> gap = trained_on.groups();
  gap[1].offset += 1;
  CHECK_THROWS_WITH(optimizer.start(gap), Catch::Contains("needs groups that tile"));
}
