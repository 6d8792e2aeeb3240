#pragma once
// Collectives on opaque 64-bit word buffers (serialised exact statistics, policies, gradients;
// gps-spec.md §14), in rank order, so the numerics can exchange data without including mpi.h.
// Without MPI_Init (a serial test or tool) the process counts as rank 0 of 1 and every
// collective is a local copy. Each collective's time counts in communication_seconds().
#include <cstdint>
#include <vector>

namespace l2o {

/// Rank of this process in MPI_COMM_WORLD (0 when MPI is not initialised).
int world_rank();

/// Number of ranks in MPI_COMM_WORLD (1 when MPI is not initialised).
int world_size();

/// Gathers every rank's `local` words to rank `root` (collective; lengths may differ). On root:
/// one buffer per rank, in rank order; on other ranks: empty.
std::vector<std::vector<std::uint64_t>> gather_words_to(int root,
                                                        const std::vector<std::uint64_t>& local);

/// Every rank's `local` words on every rank, one buffer per rank in rank order (collective;
/// lengths may differ).
std::vector<std::vector<std::uint64_t>> allgather_words(const std::vector<std::uint64_t>& local);

/// Rank `root`'s `words` to every rank (collective): other ranks' `words` are replaced.
void broadcast_words(int root, std::vector<std::uint64_t>& words);

}  // namespace l2o
