#pragma once
// The delivered GPS optimizer in an HDF5 group (gps-spec.md §12 step 10, §15; "/model"): the
// per-group LSTM policies of the best-scoring iteration as the test-time procedure needs them,
// without training state (no Adam moments). Layout of the group:
//   @method "psd", @group_count
//   @features                 "paper" | "scale_free" | "adaptive": the observations the policies
//   read group_<g>/                g = 0 .. group_count-1, in the Mlp's group order
//     @role                   the group's role ("layer1.weights", ...), which it acts on
//     @hidden_size            int64, LSTM cells
//     @action_scale           sigma_a,g
//     weights                 float [parameter_count], LstmParameters (PyTorch) layout: the
//                             float values the LSTM computes with (§1.2), so test-time steps
//                             equal those of the trained policy bitwise at half the file size
//     observation_scale       double [m], beta_g (m = 3, 5 adaptive, +1 with a relative output)
//     observation_offset      double [m], zeta_g
//   relative/                 only for a relative output (relative_output.hpp):
//     @base_rate, @max_log_factor, @horizon
//     momentum, decay, second_moment_weight, epsilon, size_exponent, reference_size
//                             double [group_count], per group
// The dataset and attribute names are policy_io.hpp's (write_policy_network), so a policy group
// reads with the same names apart from Adam's state.
#include <optional>
#include <string>
#include <vector>

#include "gps/features/feature_set.hpp"
#include "gps/loop/gps_state.hpp"
#include "gps/policy/relative_output.hpp"
#include "io/hdf5_file.hpp"
#include "objective/mlp.hpp"

namespace l2o {

/// Value of the `method` attribute of a GPS model group (policies of per-coordinate LSTMs).
inline constexpr const char* kPsdMethod = "psd";

/// Largest group count a reader accepts: a bound against damaged files (a net has 2 per layer).
inline constexpr std::int64_t kMaxModelGroups = 1000;

/// One group's entry of a model: the role it acts on and its policy.
struct GpsModelGroup {
  std::string role;  ///< "layer1.weights", ... (ParameterGroup::role)
  GpsPolicy policy;  ///< omega_g with frozen beta_g, zeta_g, sigma_a,g; Adam unused
};

/// A GPS model as read back: everything the test-time procedure (§15) needs.
struct GpsModel {
  FeatureSet features = FeatureSet::paper;  ///< the observations the policies were trained on
  std::vector<GpsModelGroup> groups;        ///< in the training net's group order, roles distinct
  /// The relative output (one direction per model group), or none: the policies output steps.
  std::optional<RelativeOutput> relative;
};

/// Writes @method = "psd", @features, one sub-group per group of `mlp` with policies[g] and, if
/// given, the relative output. Throws std::invalid_argument unless there is one policy (and one
/// direction) per group.
void write_gps_model(const Hdf5Group& group, const std::vector<GpsPolicy>& policies,
                     FeatureSet features, const Mlp& mlp, const RelativeOutput* relative = nullptr);

/// The model written by write_gps_model; `params` supplies the engine's work decomposition (the
/// hidden sizes come from the file). Throws InputError with one line naming the file and object
/// if @method is not "psd", @features is unknown, a group or dataset is missing or has the wrong
/// length, a role is empty or repeated, or a value is out of range or not finite.
GpsModel read_gps_model(const Hdf5Group& group, const LstmPolicyParams& params = {});

}  // namespace l2o
