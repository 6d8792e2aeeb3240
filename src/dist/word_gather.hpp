#pragma once
// Gathering opaque 64-bit word buffers (serialised exact statistics, gps-spec.md §14) to one
// rank, in rank order, so the numerics can reduce them without including mpi.h.
#include <cstdint>
#include <vector>

namespace l2o {

/// Rank of this process in MPI_COMM_WORLD.
int world_rank();

/// Number of ranks in MPI_COMM_WORLD.
int world_size();

/// Gathers every rank's `local` words to rank `root` (collective; lengths may differ). On root:
/// one buffer per rank, in rank order; on other ranks: empty.
std::vector<std::vector<std::uint64_t>> gather_words_to(int root,
                                                        const std::vector<std::uint64_t>& local);

}  // namespace l2o
