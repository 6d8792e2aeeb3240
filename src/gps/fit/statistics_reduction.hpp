#pragma once
// Reduction of the per-rank partial sufficient statistics of a group to the group's owner rank
// (gps-spec.md §14: rollout n runs on rank n mod Z, the sums over rollouts go to rank g mod Z,
// which then fits group g). The sums are exact fixed-point integers (MomentSums), so the total is
// bitwise the same as accumulating every rollout on one rank, for any rank count.
#include <vector>

#include "dist/word_gather.hpp"
#include "gps/fit/sufficient_statistics.hpp"

namespace l2o {

/// Owner rank of coordinate group `group` among `ranks` ranks: group mod ranks (§14).
int group_owner(int group, int ranks);

/// Collective over MPI_COMM_WORLD: every rank passes its partial sums of one group (same shape
/// on every rank); on rank `owner` they become the total over all ranks (serialised, gathered,
/// merged), elsewhere they are left as they were. Returns whether this rank is the owner.
bool reduce_to_owner(MomentSums& sums, int owner);

/// Collective over MPI_COMM_WORLD: every rank passes its partial sums (same shape on every rank);
/// afterwards every rank holds the total over all ranks (e.g. the observation statistics that
/// every rank's copy of a policy needs, §8.2).
void reduce_to_all(MomentSums& sums);

/// Reduces statistics[g] of every group g (TransitionStatistics, PolicyStatistics or
/// PolicyMismatchStatistics) to rank
/// group_owner(g, world size) (collective, groups in order). Returns per group whether this rank
/// owns it and so holds the total.
template <class Statistics>
std::vector<bool> reduce_to_group_owners(std::vector<Statistics>& statistics) {
  const int ranks = world_size();
  std::vector<bool> owned;
  for (std::size_t g = 0; g < statistics.size(); ++g) {
    owned.push_back(reduce_to_owner(statistics[g].sums(), group_owner(static_cast<int>(g), ranks)));
  }
  return owned;
}

}  // namespace l2o
