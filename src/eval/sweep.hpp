#pragma once
// The machinery `l2o tune` and `l2o evaluate` share: a sweep is a list of independent runs (work
// units) spread over the MPI ranks, each keyed only by its unit index, gathered in unit order, so
// the results are bitwise the same for any rank count (mpi_session.hpp) and for any split of the
// units between an interrupted run and its continuation (sweep_progress.hpp).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eval/run_optimizer.hpp"
#include "eval/task_spec.hpp"
#include "io/config.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Runs one unit; called only on the rank that owns it.
using UnitRunner = std::function<RunRecord(std::int64_t unit)>;

/// Runs units 0..count-1 with unit u on rank u mod size (each rank in increasing unit order) and
/// gathers the records to rank 0. Returns every record in unit order on rank 0, nothing
/// elsewhere. Collective: every rank must call it.
std::vector<RunRecord> run_units_distributed(std::int64_t count, int rank, int size,
                                             const UnitRunner& run_unit);

/// Finished units' records by unit index.
using UnitRecords = std::map<std::int64_t, RunRecord>;

/// Called on rank 0 after every round with the records of every finished unit; `last` is true
/// for the round after which run_sweep returns (every unit done, or a stop agreed).
using RoundHook = std::function<void(const UnitRecords& finished, bool last)>;

/// Runs the units of 0..count-1 that `finished` lacks, in rounds of `size`: round r gives the
/// (r size + rank)-th missing unit (in increasing order) to `rank`, so each rank's units
/// increase and a fresh sweep puts unit u on rank u mod size. After each round the new records
/// are gathered into rank 0's `finished`, every rank learns the largest `stop_signal()` of any
/// rank, and rank 0 calls `after_round`. A nonzero signal ends the sweep after that round (the
/// units in flight finish); it is returned, 0 when every unit is done. Collective: every rank
/// calls it with the same `finished` keys; only rank 0's map gains records.
int run_sweep(std::int64_t count, UnitRecords& finished, int rank, int size,
              const UnitRunner& run_unit, const std::function<int()>& stop_signal,
              const RoundHook& after_round);

/// How many of the units run_sweep runs on `rank`: the missing units at positions rank,
/// rank + size, ... of their increasing list.
std::int64_t sweep_share(std::int64_t count, const UnitRecords& finished, int rank, int size);

/// The task of the [task] section (the training objective tune works on); data directory resolved.
TaskSpec training_task_from_config(const Config& config);

/// Normalised area under the recorded true-objective curve: the trapezoid integral over the
/// recorded iterations divided by their span, i.e. the mean true objective over the run (the
/// tuning criterion, paper §4); the single value for a one-point curve; +inf for a diverged run.
double curve_score(const RunRecord& record);

/// The task's attributes label, dataset, architecture, batch_size, projection_seed, l2 and
/// parameters on `group` (docs/hdf5-layout.md, as `l2o train` writes them).
void write_task_attributes(const Hdf5Group& group, const TaskSpec& spec, const Mlp& mlp);

/// Attributes optimizer (its name) and optimizer.<name> for every hyperparameter, defaults
/// included (flags as 0/1), on `group`.
void write_optimizer_attributes(const Hdf5Group& group, const Optimizer& optimizer);

/// "<prefix>_NNNN" group name ("run_0007", "setting_0012").
std::string indexed_name(const std::string& prefix, std::int64_t index);

}  // namespace l2o
