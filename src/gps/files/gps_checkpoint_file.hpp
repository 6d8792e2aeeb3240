#pragma once
// GPS meta-training state in an HDF5 group (gps-spec.md §12 step 10, "/checkpoint"): the whole
// GpsState of §12 "State carried between iterations" plus the best evaluation score so far, so a
// run resumes at step 1 of the next iteration bitwise as if uninterrupted. Every number is stored
// exactly (doubles, int64); policies via policy_io (with Adam's state). Layout of the group:
//   @method "gps", @seed, @iteration, @initial_alpha, @initial_beta, @previous_sample_cost,
//   @best_score, @best_iteration, @group_count
//   group_<g>/                     g = 0 .. group_count-1, in the Mlp's group order
//     @eta, @step_multiplier, @cost_normaliser, @action_scale (sigma_a,g)
//     state_scale [n], lambda [T], nu [T]   (n = 76, 78 with the adaptive features, +1 with
//                                           the privileged gradient: GpsParams::state_dim)
//     sampling_policy/, previous_sampling_policy/, previous_linearisation/:
//         gain [T, n], bias [T], variance [T]
//     previous_dynamics/: transition [T-1, n, n+1], offset [T-1, n], noise_cov [T-1, n, n],
//         initial_mean [n], initial_cov [n, n]
//     previous_cost/: hessian [T, n+1, n+1], gradient [T, n+1]
//     reused_points [Q, 2n+1]       the GMM prior's subsample kept for reuse (only with
//                                   gps.sample_reuse = "previous"; gmm_dynamics_priors.hpp)
//     policy/                      write_policy's layout
// A sub-group of an empty (not yet fitted) quantity is omitted and reads back empty.
#include <cstddef>
#include <limits>

#include "gps/loop/gps_params.hpp"
#include "gps/loop/gps_state.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Value of the `method` attribute of a GPS checkpoint (and of the "psd" model's producer).
inline constexpr const char* kGpsMethod = "gps";

/// What a GPS checkpoint holds: the carried state and the best test-time score of pi so far.
struct GpsCheckpoint {
  GpsState state;
  double best_score = std::numeric_limits<double>::infinity();  ///< best §12 step-10 score
  int best_iteration = -1;  ///< the iteration that scored best_score (-1: none yet)
};

/// Writes @method = "gps" and everything in `checkpoint` into `group` (which must be empty).
void write_gps_checkpoint(const Hdf5Group& group, const GpsCheckpoint& checkpoint);

/// The checkpoint written by write_gps_checkpoint, for a run with `params` on a task of
/// `group_count` groups (policies get Adam's hyperparameters from params.policy). Throws
/// InputError naming the file and object if the method is not "gps", and, ending with
/// kDamagedCheckpoint's fix (the app has compared the configurations before, so a mismatch here
/// is damage), if the group count differs, a dataset or attribute is missing, of the wrong
/// shape (another horizon) or holds invalid values, or a state after iteration 0 lacks a policy
/// or the previous local model of a group.
GpsCheckpoint read_gps_checkpoint(const Hdf5Group& group, const GpsParams& params,
                                  std::size_t group_count);

}  // namespace l2o
