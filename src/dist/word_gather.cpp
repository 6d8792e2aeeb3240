#include "dist/word_gather.hpp"

#include <mpi.h>

#include <limits>
#include <string>

#include "dist/communication_time.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw SystemError(std::string("MPI: ") + what + " failed");
}

bool mpi_running() {
  int initialised = 0, finalised = 0;
  check(MPI_Initialized(&initialised), "MPI_Initialized");
  check(MPI_Finalized(&finalised), "MPI_Finalized");
  return initialised != 0 && finalised == 0;
}

int checked_count(std::size_t words) {
  if (words > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw SystemError("MPI: buffer of " + std::to_string(words) +
                      " words exceeds the int count of MPI");
  }
  return static_cast<int>(words);
}

// Displacements of `counts` concatenated in rank order; returns the total.
std::size_t rank_offsets(const std::vector<int>& counts, std::vector<int>& offsets) {
  long long total = 0;
  offsets.resize(counts.size());
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += counts[r];
    if (total > std::numeric_limits<int>::max()) {
      throw SystemError("MPI: gathered buffers exceed the int displacements of MPI");
    }
  }
  return static_cast<std::size_t>(total);
}

std::vector<std::vector<std::uint64_t>> split_by_rank(const std::vector<std::uint64_t>& all,
                                                      const std::vector<int>& counts,
                                                      const std::vector<int>& offsets) {
  std::vector<std::vector<std::uint64_t>> buffers;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    buffers.emplace_back(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
  }
  return buffers;
}

}  // namespace

int world_rank() {
  int rank = 0;
  if (mpi_running()) check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  return rank;
}

int world_size() {
  int size = 1;
  if (mpi_running()) check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  return size;
}

std::vector<std::vector<std::uint64_t>> gather_words_to(int root,
                                                        const std::vector<std::uint64_t>& local) {
  const int rank = world_rank();
  const int size = world_size();
  if (root < 0 || root >= size) {
    throw SystemError("MPI: gather root " + std::to_string(root) + " outside 0.." +
                      std::to_string(size - 1));
  }
  if (size == 1) return {local};
  const CommunicationTimer timer;
  const int count = checked_count(local.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets;
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, MPI_COMM_WORLD),
        "MPI_Gather");
  std::vector<std::uint64_t> all;
  if (rank == root) all.resize(rank_offsets(counts, offsets));
  check(MPI_Gatherv(local.data(), count, MPI_UINT64_T, all.data(), counts.data(), offsets.data(),
                    MPI_UINT64_T, root, MPI_COMM_WORLD),
        "MPI_Gatherv");
  if (rank != root) return {};
  return split_by_rank(all, counts, offsets);
}

std::vector<std::vector<std::uint64_t>> allgather_words(const std::vector<std::uint64_t>& local) {
  const int size = world_size();
  if (size == 1) return {local};
  const CommunicationTimer timer;
  const int count = checked_count(local.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets;
  check(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "MPI_Allgather");
  std::vector<std::uint64_t> all(rank_offsets(counts, offsets));
  check(MPI_Allgatherv(local.data(), count, MPI_UINT64_T, all.data(), counts.data(), offsets.data(),
                       MPI_UINT64_T, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  return split_by_rank(all, counts, offsets);
}

void broadcast_words(int root, std::vector<std::uint64_t>& words) {
  const int size = world_size();
  if (root < 0 || root >= size) {
    throw SystemError("MPI: broadcast root " + std::to_string(root) + " outside 0.." +
                      std::to_string(size - 1));
  }
  if (size == 1) return;
  const CommunicationTimer timer;
  auto count = static_cast<std::uint64_t>(words.size());
  check(MPI_Bcast(&count, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
  words.resize(static_cast<std::size_t>(count));
  check(MPI_Bcast(words.data(), checked_count(words.size()), MPI_UINT64_T, root, MPI_COMM_WORLD),
        "MPI_Bcast");
}

}  // namespace l2o
