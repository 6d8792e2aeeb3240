// Under mpiexec -n 2: run_units_distributed runs every unit exactly once and returns the records
// on rank 0 in unit order, whatever rank ran them; run_sweep runs only the units a resumed sweep
// lacks, one per rank per round, and stops every rank after the round in which any rank saw a stop
// request.
#include <mpi.h>
#include <catch2/catch.hpp>

#include "eval/sweep.hpp"

namespace {

l2o::RunRecord fake(std::int64_t unit) {
  l2o::RunRecord record;
  record.recorded_iterations = {0, unit};
  record.true_objective = {1.0 / static_cast<double>(unit + 3), 0.1 * static_cast<double>(unit)};
  record.minibatch_objective.assign(static_cast<std::size_t>(unit), 0.25);
  record.evaluations.assign(static_cast<std::size_t>(unit), unit);
  record.diverged_at = unit % 3 == 0 ? unit : -1;
  record.wall_seconds = 1e-3 * static_cast<double>(unit);
  return record;
}

void check_same(const l2o::RunRecord& got, const l2o::RunRecord& expected) {
  CHECK(got.recorded_iterations == expected.recorded_iterations);
  CHECK(got.true_objective == expected.true_objective);
  CHECK(got.minibatch_objective == expected.minibatch_objective);
  CHECK(got.evaluations == expected.evaluations);
  CHECK(got.diverged_at == expected.diverged_at);
  CHECK(got.wall_seconds == expected.wall_seconds);
}

// A sweep of 7 units resumed with units 1 and 4 finished (a marker record: they must not rerun).
l2o::UnitRecords resumed() {
  l2o::UnitRecords finished;
  for (const std::int64_t unit : {1, 4}) {
    finished[unit] = fake(unit);
    finished[unit].wall_seconds = -1.0;
  }
  return finished;
}

}  // namespace

TEST_CASE("run_units_distributed gathers every unit in unit order", "[eval][mpi]") {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  REQUIRE(size == 2);
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
  for (std::int64_t unit = 0; unit < 7; ++unit)
    check_same(records[static_cast<std::size_t>(unit)], fake(unit));
}

TEST_CASE("run_sweep runs the missing units in rounds and saves after each", "[eval][mpi]") {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  REQUIRE(size == 2);
  l2o::UnitRecords finished = resumed();
  // Missing: 0 2 3 5 6 -> rounds {0, 2}, {3, 5}, {6}.
  CHECK(l2o::sweep_share(7, finished, rank, size) == (rank == 0 ? 3 : 2));
  std::vector<std::int64_t> ran;
  std::vector<std::pair<std::size_t, bool>> rounds;  // (records held, last) per call
  const int signal = l2o::run_sweep(
      7, finished, rank, size,
      [&](std::int64_t unit) {
        ran.push_back(unit);
        return fake(unit);
      },
      [] { return 0; },
      [&](const l2o::UnitRecords& records, bool last) {
        rounds.emplace_back(records.size(), last);
      });
  CHECK(signal == 0);
  CHECK(ran == (rank == 0 ? std::vector<std::int64_t>{0, 3, 6} : std::vector<std::int64_t>{2, 5}));
  if (rank != 0) {
    CHECK(rounds.empty());
    CHECK(finished.size() == 2);  // only rank 0 gathers
    return;
  }
  CHECK(rounds == std::vector<std::pair<std::size_t, bool>>{{4, false}, {6, false}, {7, true}});
  REQUIRE(finished.size() == 7);
  for (std::int64_t unit = 0; unit < 7; ++unit) {
    l2o::RunRecord expected = fake(unit);
    if (unit == 1 || unit == 4) expected.wall_seconds = -1.0;  // taken over, not rerun
    check_same(finished.at(unit), expected);
  }
}

TEST_CASE("run_sweep stops every rank after the round in which one rank saw a stop",
          "[eval][mpi]") {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  REQUIRE(size == 2);
  l2o::UnitRecords finished = resumed();
  std::vector<std::int64_t> ran;
  int rounds = 0;
  const int signal = l2o::run_sweep(
      7, finished, rank, size,
      [&](std::int64_t unit) {
        ran.push_back(unit);
        return fake(unit);
      },
      [&] { return rank == 1 ? 10 : 0; },  // SIGUSR1 reached rank 1 only
      [&](const l2o::UnitRecords&, bool last) {
        ++rounds;
        CHECK(last);
      });
  CHECK(signal == 10);
  CHECK(ran == std::vector<std::int64_t>{rank == 0 ? 0 : 2});  // the units in flight finish
  if (rank == 0) {
    CHECK(rounds == 1);
    CHECK(finished.size() == 4);
    CHECK(finished.count(0) == 1);
    CHECK(finished.count(2) == 1);
  }
}
