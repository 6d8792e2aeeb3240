#pragma once
// The thin MPI layer (style.md: numerics never include mpi.h). Work units are assigned to ranks
// by index; results are gathered and reduced in unit order, never in arrival order, so every
// number is independent of the rank count.
#include <cstdint>
#include <string>
#include <vector>

namespace l2o {

/// MPI_Init/MPI_Finalize for the lifetime of the object; rank and size of MPI_COMM_WORLD.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession();

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool is_root() const { return rank_ == 0; }

 private:
  int rank_ = 0;
  int size_ = 1;
};

/// The work units (0..count-1) that `rank` of `size` owns: unit u goes to rank u mod size.
std::vector<std::int64_t> owned_units(std::int64_t count, int rank, int size);

/// Gathers every rank's values to rank 0, concatenated in rank order (empty on other ranks).
std::vector<double> gather_to_root(const std::vector<double>& local);

/// Every rank's values concatenated in rank order, on every rank (lengths may differ by rank).
std::vector<double> allgather(const std::vector<double>& local);

/// Element-wise sum over ranks, added in rank order on rank 0 and broadcast, so the result is
/// bitwise the same on every rank and for any timing.
std::vector<double> sum_in_rank_order(const std::vector<double>& local);

/// The maximum of `value` over all ranks (exact, order-free).
std::int64_t max_over_ranks(std::int64_t value);

/// Blocks until every rank arrives.
void barrier();

/// Aborts all ranks with `code` (after a fatal error on one rank).
[[noreturn]] void abort_all(int code);

}  // namespace l2o
