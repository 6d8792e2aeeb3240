#pragma once
// Reduction of the per-rank partial sufficient statistics of a group to the group's owner rank
// (gps-spec.md §14: rollout n runs on rank n mod Z, the sums over rollouts go to the group's
// owner, which then fits group g; owners balanced by recorded points, docs/gps-design.md). The
// sums are exact fixed-point integers (MomentSums), so the total is bitwise the same as
// accumulating every rollout on one rank, for any rank count.
#include <Eigen/Core>
#include <span>
#include <vector>

#include "dist/word_gather.hpp"
#include "gps/fit/sufficient_statistics.hpp"

namespace l2o {

/// Owner rank of every coordinate group among `ranks` ranks, given each group's recorded
/// coordinates C_g (its fits and LQG work grow with them). A departure from §14's g mod Z
/// (docs/gps-design.md): groups in decreasing order of C_g (ties: lower index first) each go to
/// the rank with the fewest points so far (ties: lowest rank), so the ranks carry about equal
/// work. Depends only on the C_g and the rank count, so every rank computes the same map.
/// Throws std::invalid_argument if ranks < 1 or a count is negative.
std::vector<int> group_owners(std::span<const Eigen::Index> recorded_points, int ranks);

/// Collective over MPI_COMM_WORLD: every rank passes its partial sums of one group (same shape
/// on every rank); on rank `owner` they become the total over all ranks (serialised, gathered,
/// merged), elsewhere they are left as they were. Returns whether this rank is the owner.
bool reduce_to_owner(MomentSums& sums, int owner);

/// Collective over MPI_COMM_WORLD: every rank passes its partial sums (same shape on every rank);
/// afterwards every rank holds the total over all ranks (e.g. the observation statistics that
/// every rank's copy of a policy needs, §8.2).
void reduce_to_all(MomentSums& sums);

/// Reduces statistics[g] of every group g (TransitionStatistics, PolicyStatistics or
/// PolicyMismatchStatistics) to rank owners[g] (collective, groups in order). Returns per group
/// whether this rank owns it and so holds the total.
template <class Statistics>
std::vector<bool> reduce_to_group_owners(std::vector<Statistics>& statistics,
                                         const std::vector<int>& owners) {
  std::vector<bool> owned;
  for (std::size_t g = 0; g < statistics.size(); ++g) {
    owned.push_back(reduce_to_owner(statistics[g].sums(), owners.at(g)));
  }
  return owned;
}

}  // namespace l2o
