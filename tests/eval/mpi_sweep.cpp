// Under mpiexec -n 2: run_units_distributed runs every unit exactly once and returns the records
// on rank 0 in unit order, whatever rank ran them.
#include <mpi.h>
#include <catch2/catch.hpp>

#include "eval/sweep.hpp"

TEST_CASE("run_units_distributed gathers every unit in unit order", "[eval][mpi]") {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  REQUIRE(size == 2);
  auto fake = [](std::int64_t unit) {
    l2o::RunRecord record;
    record.recorded_iterations = {0, unit};
    record.true_objective = {1.0 / static_cast<double>(unit + 3), 0.1 * static_cast<double>(unit)};
    record.minibatch_objective.assign(static_cast<std::size_t>(unit), 0.25);
    record.evaluations.assign(static_cast<std::size_t>(unit), unit);
    record.diverged_at = unit % 3 == 0 ? unit : -1;
    record.wall_seconds = 1e-3 * static_cast<double>(unit);
    return record;
  };
  std::vector<std::int64_t> ran;
  const auto records = l2o::run_units_distributed(7, rank, size, [&](std::int64_t unit) {
    ran.push_back(unit);
    return fake(unit);
  });
  CHECK(ran ==
        (rank == 0 ? std::vector<std::int64_t>{0, 2, 4, 6} : std::vector<std::int64_t>{1, 3, 5}));
  if (rank != 0) {
    CHECK(records.empty());
    return;
  }
  REQUIRE(records.size() == 7);
  for (std::int64_t unit = 0; unit < 7; ++unit) {
    const auto expected = fake(unit);
    const auto& got = records[static_cast<std::size_t>(unit)];
    CHECK(got.recorded_iterations == expected.recorded_iterations);
    CHECK(got.true_objective == expected.true_objective);
    CHECK(got.minibatch_objective == expected.minibatch_objective);
    CHECK(got.evaluations == expected.evaluations);
    CHECK(got.diverged_at == expected.diverged_at);
    CHECK(got.wall_seconds == expected.wall_seconds);
  }
}
