#pragma once
// Writes one GPS iteration's GroupDiagnostics to HDF5, so the GPS loop logs them per iteration
// next to its checkpoints (issue 5 item 7).
#include <span>

#include "gps/loop/group_diagnostics.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Creates subgroup "iteration_<i>" (i zero-padded to 4 digits) of `parent` holding one entry per
/// group, in the order given: datasets `group` and `dgd_iterations` (int64), `dgd_converged`
/// and `constraint_slack` (int64 0/1), `eta`, `kl_bound`, `trust_region_kl`,
/// `policy_kl_before`, `policy_kl_after`, `predicted_improvement`, `actual_improvement`,
/// `predicted_cost_improvement` (the cost part of `predicted_improvement`), `model_cost` and
/// `sample_cost` (psi-hat's cost under its own fits and on its recorded points),
/// `step_multiplier` (double, NaN = not computed this iteration), `step_accepted` (int64 0/1; 0:
/// global step control rejected psi-hat), and per step-series summary
/// (`gradient_r_squared`, `cost_condition`, `dynamics_condition`, `linearisation_condition`,
/// `curvature`, `own_step_response`) a
/// groups x 6 dataset with columns min, median, mean, max, argmin, argmax (named by the
/// attribute `summary_columns`).
/// Throws std::invalid_argument if the entries are not all of `iteration`.
Hdf5Group write_group_diagnostics(const Hdf5Group& parent, int iteration,
                                  std::span<const GroupDiagnostics> diagnostics);

}  // namespace l2o
