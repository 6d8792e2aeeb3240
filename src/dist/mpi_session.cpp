#include "dist/mpi_session.hpp"

#include <mpi.h>

#include "util/error.hpp"

namespace l2o {
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw SystemError(std::string("MPI: ") + what + " failed");
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  check(MPI_Init(argc, argv), "MPI_Init");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

std::vector<std::int64_t> owned_units(std::int64_t count, int rank, int size) {
  std::vector<std::int64_t> units;
  for (std::int64_t u = rank; u < count; u += size) units.push_back(u);
  return units;
}

std::vector<double> gather_to_root(const std::vector<double>& local) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int count = static_cast<int>(local.size());
  std::vector<int> counts(size), offsets(size);
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<double> all;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[r] = total;
      total += counts[r];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  check(MPI_Gatherv(local.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(),
                    MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  return all;
}

std::vector<double> allgather(const std::vector<double>& local) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int count = static_cast<int>(local.size());
  std::vector<int> counts(size), offsets(size);
  check(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "MPI_Allgather");
  int total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[r] = total;
    total += counts[r];
  }
  std::vector<double> all(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(local.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(),
                       MPI_DOUBLE, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  return all;
}

std::vector<double> sum_in_rank_order(const std::vector<double>& local) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::vector<double> all = gather_to_root(local);
  std::vector<double> sum(local.size(), 0.0);
  if (rank == 0) {
    if (all.size() != local.size() * static_cast<std::size_t>(size))
      throw SystemError("MPI: sum_in_rank_order called with different lengths on different ranks");
    for (int r = 0; r < size; ++r)
      for (std::size_t i = 0; i < local.size(); ++i) sum[i] += all[r * local.size() + i];
  }
  check(MPI_Bcast(sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Bcast");
  return sum;
}

std::int64_t max_over_ranks(std::int64_t value) {
  std::int64_t result = value;
  check(MPI_Allreduce(&value, &result, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
  return result;
}

void barrier() {
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void abort_all(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();
}

}  // namespace l2o
