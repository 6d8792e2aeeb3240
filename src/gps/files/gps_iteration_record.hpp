#pragma once
// The record of one GPS iteration in HDF5, everything GpsIterationSummary reports: psi's sample
// costs, pi's evaluation, the policy KLs, the per-group diagnostics of §10 / §18.2 and the
// seconds per phase. meta-train writes one record file per iteration so the training can be
// analysed (analysis/plot_gps_training.py) without re-running it. Layout, under "iteration_<i>"
// (i zero-padded to 4 digits) of the parent:
//   write_group_diagnostics' datasets and attributes (group_diagnostics_io.hpp), and
//   sample_costs [N]            (1/T) sum_t f_t of every psi-hat rollout, rollout order
//   evaluation_scores [N_eval]  pi's test-time score per evaluation rollout (+inf: diverged)
//   noise_free_costs [K]        the same for psi-hat's noise-free rollouts (only if K > 0)
//   policy_mean_loss [G, U]     mean §8.4 loss of every policy update (U = R - 1 at i = 0, else R)
//   policy_clipped_steps [G, U] Adam steps whose gradient norm was clipped
//   @mean_sample_cost, @evaluation_score, @mean_initial_kl, @mean_final_kl,
//   @predicted_improvement, @realised_improvement (issue 16 item 5; NaN at iteration 0),
//   @noise_free_cost            mean of noise_free_costs (NaN if K = 0; issue 16 item 6)
//   @seconds_sampling, @seconds_fits, @seconds_lqg, @seconds_policy_training,
//   @seconds_evaluation, @seconds_communication   wall-clock seconds of the phases and of the
//                               time inside MPI collectives (not reproducible; never compare)
#include "gps/loop/gps_iteration.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Writes the record of `summary` into a new sub-group of `parent`; returns it.
Hdf5Group write_gps_iteration_record(const Hdf5Group& parent, const GpsIterationSummary& summary);

}  // namespace l2o
