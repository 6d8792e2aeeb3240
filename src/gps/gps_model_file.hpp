#pragma once
// The delivered GPS optimizer in an HDF5 group (gps-spec.md §12 step 10, §15; "/model"): the
// per-group LSTM policies of the best-scoring iteration as the test-time procedure needs them,
// without training state (no Adam moments). Layout of the group:
//   @method "psd", @group_count
//   @features                 "paper" | "scale_free": the observations the policies read
//   group_<g>/                g = 0 .. group_count-1, in the Mlp's group order
//     @role                   the group's role ("layer1.weights", ...), which it acts on
//     @hidden_size            int64, LSTM cells
//     @action_scale           sigma_a,g
//     weights                 double [parameter_count], LstmParameters (PyTorch) layout
//     observation_scale       double [3], beta_g
//     observation_offset      double [3], zeta_g
// The dataset and attribute names are policy_io.hpp's, so a policy group reads with the same
// names apart from Adam's state.
#include <vector>

#include "gps/feature_set.hpp"
#include "gps/gps_state.hpp"
#include "io/hdf5_file.hpp"
#include "objective/mlp.hpp"

namespace l2o {

/// Value of the `method` attribute of a GPS model group (policies of per-coordinate LSTMs).
inline constexpr const char* kPsdMethod = "psd";

/// Writes @method = "psd", @features and one sub-group per group of `mlp` with policies[g].
/// Throws std::invalid_argument unless there is one policy per group.
void write_gps_model(const Hdf5Group& group, const std::vector<GpsPolicy>& policies,
                     FeatureSet features, const Mlp& mlp);

}  // namespace l2o
