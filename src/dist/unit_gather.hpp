#pragma once
// Results of work units spread over ranks (unit u on rank u mod Z, owned_units in
// mpi_session.hpp), collected on every rank in unit order, so whatever is formed from them
// afterwards (means, training sets) is independent of the rank count (gps-spec.md §14).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "dist/mpi_session.hpp"

namespace l2o {

/// Collective: `owned` holds this rank's buffers of units rank, rank + Z, rank + 2Z, ... < count
/// (in that order); returns the buffers of all `count` units in unit order, on every rank.
/// Throws SystemError if a rank's number of buffers does not match the assignment.
std::vector<std::vector<std::uint64_t>> allgather_units(
    const std::vector<std::vector<std::uint64_t>>& owned, std::int64_t count);

/// allgather_units for one matrix per unit (e.g. a rollout's recorded data), bit for bit.
std::vector<Eigen::MatrixXd> allgather_unit_matrices(const std::vector<Eigen::MatrixXd>& owned,
                                                     std::int64_t count);

/// allgather_units for one double per unit (e.g. a rollout's cost), bit for bit.
std::vector<double> allgather_unit_values(const std::vector<double>& owned, std::int64_t count);

/// Collective: runs `run(unit)` (returning one double) for this rank's units of 0..count-1 and
/// returns all `count` values in unit order, on every rank.
template <class Run>
std::vector<double> run_unit_values(std::int64_t count, const MpiSession& mpi, const Run& run) {
  std::vector<double> owned;
  for (std::int64_t unit : owned_units(count, mpi.rank(), mpi.size())) owned.push_back(run(unit));
  return allgather_unit_values(owned, count);
}

}  // namespace l2o
