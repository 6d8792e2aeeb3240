#pragma once
// The progress file of a `l2o tune` or `l2o evaluate` sweep, "<run.output>.progress.h5": the
// records of the finished units, saved atomically while the sweep runs, so a run killed at any
// point (SIGKILL, walltime) continues with --resume and redoes only the units in flight. Layout:
// docs/hdf5-layout.md. It holds the run's /meta (the resolved config) and the sweep's inputs
// beyond the config; a run continues only a file whose config agrees on every key that
// determines the units and whose inputs are the same, so resumed records are those the new run
// would compute, bit for bit.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "dist/mpi_session.hpp"
#include "eval/sweep.hpp"
#include "io/config.hpp"

namespace l2o {

/// What identifies a sweep's units besides the rank count (which never matters).
struct SweepIdentity {
  std::string subcommand;  ///< "tune" or "evaluate"
  std::int64_t units = 0;  ///< number of work units
  /// The config keys whose values determine the units' numbers.
  std::function<bool(const std::string&)> determines;
  /// Inputs read from other files that determine the numbers ("name: value" lines; evaluate:
  /// the tuned hyperparameters and a hash of each learned model), compared line by line.
  std::string inputs;
};

/// The progress file of one run: the records to resume and the periodic, atomic saves.
class SweepProgress {
 public:
  /// The progress file of `output`. With `resume`, loads its finished records (on every rank:
  /// the file system is shared, as for every input); throws InputError naming the file and the
  /// fix if it is missing, not a progress file of `identity.subcommand`, or made with another
  /// value of a determining key or another input. Without `resume`, a progress file already
  /// there is left until the first save replaces it (a fresh run starts over).
  SweepProgress(const std::string& output, SweepIdentity identity, const Config& config,
                std::string command_line, int ranks, bool resume);

  /// "<output>.progress.h5".
  [[nodiscard]] const std::string& path() const { return path_; }
  /// Records of the finished units (the resumed ones, then those run_sweep adds on rank 0).
  [[nodiscard]] UnitRecords& finished() { return finished_; }
  /// ", resuming N finished runs from <path>" for the header line of a resumed run, else "".
  [[nodiscard]] std::string resume_note() const;
  /// The sweep's number of units.
  [[nodiscard]] std::int64_t units() const { return identity_.units; }

  /// Rank 0, after a round: writes `finished` to the progress file (atomically) when `last`
  /// or when due. Due means the time since the previous save is at least 19 times what that
  /// save took, so saving costs at most 5 % of the sweep's time however many records the file
  /// holds, and with units longer than 19 saves, every round is saved.
  void save_after_round(const UnitRecords& finished, bool last);

  /// Deletes the progress file (rank 0, after the final output is committed).
  void remove() const;

 private:
  void save(const UnitRecords& finished) const;

  std::string path_;
  SweepIdentity identity_;
  Config config_;
  std::string command_line_;
  int ranks_;
  UnitRecords finished_;
  std::int64_t resumed_ = 0;  ///< records the progress file held when the run started
  std::chrono::steady_clock::time_point last_save_end_{};
  double last_save_seconds_ = -1.0;  ///< negative: nothing saved yet
};

/// Runs the sweep's missing units (run_sweep) with `saved`'s records, saving after rounds as due
/// and honouring a stop request (SIGTERM/SIGUSR1, stop_request.hpp): the units in flight finish,
/// the progress file is written, rank 0 says how to continue, and the signal is returned (the
/// command then exits with kExitStopped). Returns 0 once every unit is done. Collective.
int run_saved_sweep(SweepProgress& saved, const MpiSession& mpi, const UnitRunner& run_unit);

}  // namespace l2o
