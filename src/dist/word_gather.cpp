#include "dist/word_gather.hpp"

#include <mpi.h>

#include <limits>
#include <string>

#include "util/error.hpp"

namespace l2o {
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw SystemError(std::string("MPI: ") + what + " failed");
}

}  // namespace

int world_rank() {
  int rank = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  return rank;
}

int world_size() {
  int size = 1;
  check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
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
  if (local.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw SystemError("MPI: gather buffer of " + std::to_string(local.size()) +
                      " words exceeds the int count of MPI_Gatherv");
  }
  const int count = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, MPI_COMM_WORLD),
        "MPI_Gather");
  std::vector<std::uint64_t> all;
  if (rank == root) {
    long long total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[r] = static_cast<int>(total);
      total += counts[r];
      if (total > std::numeric_limits<int>::max()) {
        throw SystemError("MPI: gathered buffers exceed the int displacements of MPI_Gatherv");
      }
    }
    all.resize(static_cast<std::size_t>(total));
  }
  check(MPI_Gatherv(local.data(), count, MPI_UINT64_T, all.data(), counts.data(), offsets.data(),
                    MPI_UINT64_T, root, MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::vector<std::uint64_t>> buffers;
  if (rank == root) {
    for (int r = 0; r < size; ++r) {
      buffers.emplace_back(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
    }
  }
  return buffers;
}

}  // namespace l2o
