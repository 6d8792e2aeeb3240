// A policy's state in HDF5 (gps-spec.md §12 step 10, §15): bitwise round trip including Adam's
// state (training resumes identically), and errors naming the dataset.
#include <catch2/catch.hpp>

#include "gps/files/policy_io.hpp"
#include "gps/policy/policy_training.hpp"
#include "gps/test_policy_fixtures.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;
using l2o::LstmPolicy;

TEST_CASE("policy io: write then read is bitwise, and training resumes identically", "[policy]") {
  const MatrixXd observations = l2o::test::raw_observations(20, 6, 71);
  l2o::PolicyTrainingSet data;
  data.add_rollout(observations, l2o::test::random_matrix(20, 6, 1.0, 72, "targets"));
  data.step_weights = VectorXd::LinSpaced(6, 0.5, 2.0);
  l2o::PolicyTrainingParams params;
  params.max_steps = 3;
  LstmPolicy<float> policy({}, l2o::test::constants_from(observations), 73, 1);
  l2o::train_policy(policy, data, params, {.seed = 74});

  const std::string path = (l2o::test::scratch_dir("policy-io") / "policy.h5").string();
  {
    l2o::AtomicHdf5File file(path);
    l2o::write_policy(file.root().create_group("group_1"), policy);
    file.commit();
  }
  const auto root = l2o::open_hdf5_for_reading(path);
  LstmPolicy<float> loaded = l2o::read_policy<float>(root.open_group("group_1"));
  CHECK(loaded.shape().hidden_size == 128);
  CHECK(loaded.weights().values() == policy.weights().values());
  CHECK(loaded.compute_weights().values() == policy.compute_weights().values());
  CHECK(loaded.constants().normalisation.scale == policy.constants().normalisation.scale);
  CHECK(loaded.constants().normalisation.offset == policy.constants().normalisation.offset);
  CHECK(loaded.constants().action_scale == policy.constants().action_scale);
  const l2o::AdamState saved = policy.optimizer_state(), restored = loaded.optimizer_state();
  CHECK(restored.iteration == 3);
  CHECK(restored.first_moment == saved.first_moment);
  CHECK(restored.second_moment == saved.second_moment);

  l2o::train_policy(policy, data, params, {.seed = 74, .iteration = 1});
  l2o::train_policy(loaded, data, params, {.seed = 74, .iteration = 1});
  CHECK(loaded.weights().values() == policy.weights().values());
}

TEST_CASE("policy io: a missing or mis-shaped dataset is named", "[policy]") {
  const MatrixXd observations = l2o::test::raw_observations(4, 2, 75);
  l2o::LstmPolicyParams params;
  params.hidden_size = 4;  // 149 parameters; 5 cells would have 206
  LstmPolicy<double> policy(params, l2o::test::constants_from(observations), 76, 0);
  const std::string path = (l2o::test::scratch_dir("policy-io-bad") / "bad.h5").string();
  {
    l2o::AtomicHdf5File file(path);
    const auto missing = file.root().create_group("missing");
    missing.write("weights", policy.weights().values().data(), {149});
    missing.set_attribute("hidden_size", std::int64_t{4});
    const auto short_scale = file.root().create_group("short_scale");
    short_scale.write("observation_scale", std::vector<double>{1.0, 2.0});
    short_scale.set_attribute("hidden_size", std::int64_t{4});
    const auto wrong_size = file.root().create_group("wrong_size");
    l2o::write_policy(wrong_size, policy);
    H5Adelete(wrong_size.id(), "hidden_size");
    wrong_size.set_attribute("hidden_size", std::int64_t{5});
    file.commit();
  }
  const auto root = l2o::open_hdf5_for_reading(path);
  CHECK_THROWS_WITH(l2o::read_policy<double>(root.open_group("missing")),
                    path + ":/missing/observation_scale: dataset missing");
  CHECK_THROWS_WITH(l2o::read_policy<double>(root.open_group("short_scale")),
                    Catch::Contains(":/short_scale/observation_scale: has 2 values, expected a "
                                    "vector of 3"));
  CHECK_THROWS_AS(l2o::read_policy<double>(root.open_group("wrong_size")), l2o::InputError);
  CHECK_THROWS_WITH(l2o::read_policy<double>(root.open_group("wrong_size")),
                    Catch::Contains(":/wrong_size/weights: has 149 values, expected a "
                                    "vector of 206"));
}
