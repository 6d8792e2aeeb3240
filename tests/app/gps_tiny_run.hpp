#pragma once
// The tiny GPS meta-training run of the app tests (48-8-10 net on MNIST, T = 40, N = 4,
// C_max = 16, R = 2, a 16-cell LSTM with 10 Adam steps per update, a 2 x 2 initial grid) and the
// bitwise comparison of two runs' checkpoints and models (gps_checkpoint_file.hpp,
// gps_model_file.hpp): resumed vs uninterrupted, 1 vs 2 ranks.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "app/meta_train_runs.hpp"
#include "io/hdf5_file.hpp"

namespace l2o::test {

inline constexpr const char* kTinyGps = R"([run]
seed = 11
[task]
input_dim = 48
hidden = [8]
batch_size = 64
[meta_train]
method = "gps"
cost_examples = 1000
[gps]
iterations = 3
horizon = 40
rollouts = 4
recorded_coordinates = 16
inner_iterations = 2
evaluation_rollouts = 2
policy_hidden_size = 16
policy_max_steps = 10
initial_learning_rates = [0.3, 1.0]
initial_momentums = [0.0, 0.5]
initial_pilot_rollouts = 1
)";

inline std::filesystem::path tiny_dir(const std::string& name) {
  return meta_train_dir(name, kTinyGps);
}

// The meta-train command line for the run in `dir`.
inline std::string meta_train(const std::filesystem::path& dir, const std::string& extra = "") {
  return meta_train_arguments(dir, extra);
}

// Every dataset and attribute below `a` and `b` (recursively through the group_<g>
// sub-groups the checkpoint and model layouts name) agrees bitwise.
inline void check_same_group(const Hdf5Group& a, const Hdf5Group& b,
                             const std::vector<std::string>& datasets,
                             const std::vector<std::string>& doubles,
                             const std::vector<std::string>& integers) {
  for (const std::string& name : datasets) {
    INFO(a.where(name));
    REQUIRE(a.contains(name) == b.contains(name));
    if (a.contains(name)) CHECK(a.read_doubles(name) == b.read_doubles(name));
  }
  for (const std::string& name : doubles) {
    INFO(a.where(name));
    const double x = a.double_attribute(name), y = b.double_attribute(name);
    CHECK((x == y || (std::isnan(x) && std::isnan(y))));
  }
  for (const std::string& name : integers)
    CHECK(a.integer_attribute(name) == b.integer_attribute(name));
}

// The whole GPS training state of two checkpoint files agrees bitwise (gps_checkpoint_file.hpp).
inline void check_same_checkpoint(const std::filesystem::path& a_path,
                                  const std::filesystem::path& b_path) {
  const auto a = open_hdf5_for_reading(a_path.string()).open_group("checkpoint");
  const auto b = open_hdf5_for_reading(b_path.string()).open_group("checkpoint");
  check_same_group(a, b, {}, {"initial_alpha", "initial_beta", "best_score"},
                   {"seed", "iteration", "best_iteration", "group_count"});
  const std::int64_t groups = a.integer_attribute("group_count");
  for (std::int64_t g = 0; g < groups; ++g) {
    const std::string name = "group_" + std::to_string(g);
    const auto x = a.open_group(name), y = b.open_group(name);
    check_same_group(x, y, {"state_scale", "lambda", "nu"},
                     {"eta", "step_multiplier", "cost_normaliser", "action_scale"}, {});
    for (const std::string psi :
         {"sampling_policy", "previous_sampling_policy", "previous_linearisation"})
      check_same_group(x.open_group(psi), y.open_group(psi), {"gain", "bias", "variance"}, {}, {});
    check_same_group(x.open_group("previous_dynamics"), y.open_group("previous_dynamics"),
                     {"transition", "offset", "noise_cov", "initial_mean", "initial_cov"}, {}, {});
    check_same_group(x.open_group("previous_cost"), y.open_group("previous_cost"),
                     {"hessian", "gradient"}, {}, {});
    check_same_group(x.open_group("policy"), y.open_group("policy"),
                     {"weights", "observation_scale", "observation_offset", "adam_first_moment",
                      "adam_second_moment"},
                     {"action_scale"}, {"hidden_size", "adam_step"});
  }
}

inline void check_same_model(const std::filesystem::path& a_path,
                             const std::filesystem::path& b_path) {
  const auto a = open_hdf5_for_reading(a_path.string()).open_group("model");
  const auto b = open_hdf5_for_reading(b_path.string()).open_group("model");
  CHECK(a.string_attribute("method") == "psd");
  check_same_group(a, b, {}, {"evaluation_score"}, {"iteration", "group_count"});
  for (std::int64_t g = 0; g < a.integer_attribute("group_count"); ++g) {
    const std::string name = "group_" + std::to_string(g);
    const auto x = a.open_group(name), y = b.open_group(name);
    CHECK(x.string_attribute("role") == y.string_attribute("role"));
    check_same_group(x, y, {"weights", "observation_scale", "observation_offset"}, {"action_scale"},
                     {"hidden_size"});
  }
}

}  // namespace l2o::test
