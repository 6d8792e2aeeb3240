#pragma once
// The tiny GPS meta-training run of the app tests (48-8-10 net on MNIST, T = 40, N = 4,
// C_max = 16, R = 2, a 16-cell LSTM with 10 Adam steps per update, a 2 x 2 initial grid) and the
// bitwise comparison of two runs' checkpoints, models and per-iteration records
// (gps_checkpoint_file.hpp, gps_model_file.hpp, gps_iteration_record.hpp): resumed vs
// uninterrupted, 1 vs 2 ranks.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
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

/// x and y are the same number; NaN (e.g. a diagnostic not computed this iteration) equals NaN.
inline bool same_number(double x, double y) {
  return x == y || (std::isnan(x) && std::isnan(y));
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
    CHECK(same_number(a.double_attribute(name), b.double_attribute(name)));
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
    check_same_group(x, y, {"state_scale", "lambda", "nu", "reused_points"},
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

/// Appends `name` to the std::vector<std::string> at `names` (HDF5 iteration callbacks).
inline herr_t append_name(const char* name, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

/// The names of the links (datasets, groups) of HDF5 group `id`, in name order.
inline std::vector<std::string> hdf5_link_names(hid_t id) {
  std::vector<std::string> names;
  REQUIRE(H5Literate(
              id, H5_INDEX_NAME, H5_ITER_INC, nullptr,
              [](hid_t, const char* name, const H5L_info_t*, void* out) {
                return append_name(name, out);
              },
              &names) >= 0);
  return names;
}

/// The names of the attributes of HDF5 object `id`, in name order.
inline std::vector<std::string> hdf5_attribute_names(hid_t id) {
  std::vector<std::string> names;
  REQUIRE(H5Aiterate(
              id, H5_INDEX_NAME, H5_ITER_INC, nullptr,
              [](hid_t, const char* name, const H5A_info_t*, void* out) {
                return append_name(name, out);
              },
              &names) >= 0);
  return names;
}

/// The HDF5 type class (H5T_FLOAT, H5T_INTEGER, H5T_STRING, ...) of attribute `name` of `group`.
inline H5T_class_t attribute_class(const Hdf5Group& group, const std::string& name) {
  const hid_t attribute = H5Aopen(group.id(), name.c_str(), H5P_DEFAULT);
  const hid_t type = H5Aget_type(attribute);
  const H5T_class_t type_class = H5Tget_class(type);
  H5Tclose(type);
  H5Aclose(attribute);
  return type_class;
}

/// The records of iteration `iteration` (<checkpoint>_iterations/iteration_<iiii>.h5,
/// gps_iteration_record.hpp) of the runs whose checkpoints are `a_checkpoint` and
/// `b_checkpoint` hold the same numbers: every dataset and every attribute of the group
/// iteration_<iiii>, except the wall-clock seconds (seconds_*), which are never reproducible.
/// The provenance (/meta: host, time, rank count) is not compared.
inline void check_same_record(const std::filesystem::path& a_checkpoint,
                              const std::filesystem::path& b_checkpoint, int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration_%04d", iteration);
  const auto record = [&](const std::filesystem::path& checkpoint) {
    const std::filesystem::path dir =
        checkpoint.parent_path() / (checkpoint.stem().string() + "_iterations");
    return open_hdf5_for_reading((dir / (std::string(name) + ".h5")).string()).open_group(name);
  };
  const Hdf5Group a = record(a_checkpoint), b = record(b_checkpoint);
  const std::vector<std::string> datasets = hdf5_link_names(a.id());
  REQUIRE(datasets == hdf5_link_names(b.id()));
  REQUIRE_FALSE(datasets.empty());
  for (const std::string& dataset : datasets) {
    INFO(a.where(dataset));
    const std::vector<double> x = a.read_doubles(dataset), y = b.read_doubles(dataset);
    REQUIRE(x.size() == y.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (!same_number(x[k], y[k])) FAIL_CHECK("element " << k << ": " << x[k] << " vs " << y[k]);
    }
  }
  const std::vector<std::string> attributes = hdf5_attribute_names(a.id());
  REQUIRE(attributes == hdf5_attribute_names(b.id()));
  for (const std::string& attribute : attributes) {
    if (attribute.rfind("seconds_", 0) == 0) continue;
    INFO(a.where(attribute));
    switch (attribute_class(a, attribute)) {
      case H5T_FLOAT:
        CHECK(same_number(a.double_attribute(attribute), b.double_attribute(attribute)));
        break;
      case H5T_INTEGER:
        CHECK(a.integer_attribute(attribute) == b.integer_attribute(attribute));
        break;
      default:
        CHECK(a.string_attribute(attribute) == b.string_attribute(attribute));
    }
  }
}

}  // namespace l2o::test
