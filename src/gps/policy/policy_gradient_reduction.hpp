#pragma once
// The data-parallel policy gradient of gps-spec.md §14 (phase 8a): the fixed blocks of a
// minibatch (policy_loss.hpp) are spread over the ranks, block b on rank b mod Z, and every
// block's unnormalised sums reach every rank, in block order, so combine_block_gradients adds
// them in the same order as a single process does: each rank then takes the identical Adam step
// and the result is bitwise the same for any rank (and thread) count.
#include <Eigen/Core>
#include <vector>

#include "gps/policy/policy_loss.hpp"

namespace l2o {

/// The blocks of a minibatch of `blocks` blocks that this rank computes: b mod Z == rank.
std::vector<Eigen::Index> owned_blocks(Eigen::Index blocks);

/// Collective over MPI_COMM_WORLD: `owned` holds this rank's results for owned_blocks(blocks),
/// in that order; returns all `blocks` results in block order on every rank (bit for bit).
std::vector<PolicyBlockGradient> allgather_block_gradients(std::vector<PolicyBlockGradient> owned,
                                                           Eigen::Index blocks);

}  // namespace l2o
