#pragma once
// Results a group's owner rank computes (gps-spec.md §14: fits, step size, duals and the DGD-LQG
// of group g run on rank g mod Z) sent to every rank, bit for bit, so every rank holds the full
// GpsState and the summary (the simplest invariant: any rank could write the checkpoint).
#include <vector>

#include "gps/loop/gps_state.hpp"
#include "gps/loop/group_diagnostics.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"

namespace l2o {

/// Collective over MPI_COMM_WORLD: rank `owner`'s psi-step result (psi', the duals and eta of
/// one inner iteration) replaces the other ranks' values, which the next theta-step and the
/// BADMM statistics need.
void broadcast_psi_step(int owner, LinearGaussianPolicy& psi, BadmmDuals& duals, double& eta);

/// Collective over MPI_COMM_WORLD: rank `owner`'s carried group state (every field: psi-hat,
/// psi_prev, eta, m, duals, units, gamma, the previous local model), the group's diagnostics
/// and its psi-step results of the iteration replace the other ranks'.
void broadcast_group_results(int owner, GpsGroupState& group, GroupDiagnostics& diagnostics,
                             std::vector<DgdResult>& dgd);

}  // namespace l2o
