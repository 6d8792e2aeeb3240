// MPI smoke test (run by ctest under mpiexec -n 2): unit ownership, gathering and the
// rank-ordered sum are exact and the same on every rank.
#include <mpi.h>
#include <catch2/catch.hpp>

#include "dist/mpi_session.hpp"

namespace {

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

}  // namespace

TEST_CASE("every unit is owned by exactly one rank", "[dist][mpi]") {
  const std::int64_t count = 11;
  std::vector<double> mine;
  for (auto u : l2o::owned_units(count, world_rank(), world_size()))
    mine.push_back(static_cast<double>(u));
  const auto all = l2o::gather_to_root(mine);
  if (world_rank() == 0) {
    std::vector<int> seen(count, 0);
    for (double u : all) ++seen[static_cast<std::size_t>(u)];
    CHECK(seen == std::vector<int>(count, 1));
  } else {
    CHECK(all.empty());
  }
}

TEST_CASE("sum in rank order is bitwise identical on all ranks and equals the serial sum",
          "[dist][mpi]") {
  // Values whose floating-point sum depends on the order: 1e16, 1, -1e16 ...
  const int rank = world_rank();
  const std::vector<double> local = {rank == 0 ? 1e16 : 1.0, 0.1 * (rank + 1), -3.0 * rank};
  const auto sum = l2o::sum_in_rank_order(local);
  double expected0 = 0.0, expected1 = 0.0, expected2 = 0.0;
  for (int r = 0; r < world_size(); ++r) {
    expected0 += r == 0 ? 1e16 : 1.0;
    expected1 += 0.1 * (r + 1);
    expected2 += -3.0 * r;
  }
  CHECK(sum[0] == expected0);
  CHECK(sum[1] == expected1);
  CHECK(sum[2] == expected2);
  // Every rank holds the same bits.
  std::vector<double> from_root = sum;
  MPI_Bcast(from_root.data(), 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  CHECK(from_root == sum);
  CHECK(l2o::max_over_ranks(rank) == world_size() - 1);
}

TEST_CASE("the test really runs on two ranks", "[dist][mpi]") {
  CHECK(world_size() == 2);
}
