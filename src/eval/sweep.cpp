#include "eval/sweep.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "data/catalog.hpp"
#include "dist/mpi_session.hpp"
#include "eval/run_record_io.hpp"

namespace l2o {

namespace {

// The records rank 0 gathers from every rank's (unit index, packed record) buffer.
void gather_records(const std::vector<double>& packed, int rank, UnitRecords& records) {
  const std::vector<double> all = gather_to_root(packed);
  if (rank != 0) return;
  for (std::size_t position = 0; position < all.size();) {
    const auto unit = static_cast<std::int64_t>(all[position++]);
    records[unit] = unpack_run_record(all, position);
  }
}

void pack_unit(std::int64_t unit, const RunRecord& record, std::vector<double>& packed) {
  packed.push_back(static_cast<double>(unit));
  pack_run_record(record, packed);
}

std::vector<std::int64_t> missing_units(std::int64_t count, const UnitRecords& finished) {
  std::vector<std::int64_t> missing;
  for (std::int64_t unit = 0; unit < count; ++unit)
    if (finished.count(unit) == 0) missing.push_back(unit);
  return missing;
}

}  // namespace

std::vector<RunRecord> run_units_distributed(std::int64_t count, int rank, int size,
                                             const UnitRunner& run_unit) {
  std::vector<double> packed;
  for (const std::int64_t unit : owned_units(count, rank, size))
    pack_unit(unit, run_unit(unit), packed);
  UnitRecords gathered;
  gather_records(packed, rank, gathered);
  std::vector<RunRecord> records;
  for (auto& [unit, record] : gathered) records.push_back(std::move(record));
  return records;
}

std::int64_t sweep_share(std::int64_t count, const UnitRecords& finished, int rank, int size) {
  return static_cast<std::int64_t>(
      owned_units(static_cast<std::int64_t>(missing_units(count, finished).size()), rank, size)
          .size());
}

int run_sweep(std::int64_t count, UnitRecords& finished, int rank, int size,
              const UnitRunner& run_unit, const std::function<int()>& stop_signal,
              const RoundHook& after_round) {
  const std::vector<std::int64_t> missing = missing_units(count, finished);
  // One unit per rank per round: a stop waits for one unit at most, and rank 0 can save the
  // records after every round (it decides how often, sweep_progress.hpp).
  for (std::size_t start = 0; start < missing.size(); start += static_cast<std::size_t>(size)) {
    std::vector<double> packed;
    const std::size_t mine = start + static_cast<std::size_t>(rank);
    if (mine < missing.size()) pack_unit(missing[mine], run_unit(missing[mine]), packed);
    gather_records(packed, rank, finished);
    const auto signal = static_cast<int>(max_over_ranks(stop_signal()));
    const bool last = signal != 0 || start + static_cast<std::size_t>(size) >= missing.size();
    if (rank == 0) after_round(finished, last);
    if (signal != 0 && start + static_cast<std::size_t>(size) < missing.size()) return signal;
  }
  return 0;
}

TaskSpec training_task_from_config(const Config& config) {
  TaskSpec spec;
  spec.dataset = config.string("task.dataset");
  spec.num_classes = static_cast<int>(config.integer("task.num_classes"));
  spec.activation = parse_activation(config.string("task.activation"));
  spec.input_dim = static_cast<int>(config.integer("task.input_dim"));
  spec.hidden.assign(config.integers("task.hidden").begin(), config.integers("task.hidden").end());
  spec.batch_size = static_cast<int>(config.integer("task.batch_size"));
  spec.l2 = config.real("task.l2");
  spec.projection_seed = static_cast<std::uint64_t>(config.integer("task.projection_seed"));
  spec.data_dir = resolve_data_dir(config.string("data.dir"));
  return spec;
}

double curve_score(const RunRecord& record) {
  const auto& t = record.recorded_iterations;
  const auto& f = record.true_objective;
  if (record.diverged_at >= 0) return std::numeric_limits<double>::infinity();
  if (f.empty() || t.size() != f.size())
    throw std::invalid_argument("curve_score: empty or ragged curve");
  if (f.size() == 1) return f.front();
  double area = 0.0;
  for (std::size_t i = 1; i < f.size(); ++i)
    area += 0.5 * (f[i - 1] + f[i]) * static_cast<double>(t[i] - t[i - 1]);
  return area / static_cast<double>(t.back() - t.front());
}

void write_task_attributes(const Hdf5Group& group, const TaskSpec& spec, const Mlp& mlp) {
  group.set_attribute("label", spec.label(mlp.num_classes()));
  group.set_attribute("dataset", spec.dataset);
  group.set_attribute("architecture", mlp.architecture());
  group.set_attribute("activation", activation_name(mlp.activation()));
  group.set_attribute("batch_size", std::int64_t{spec.batch_size});
  group.set_attribute("projection_seed", static_cast<std::int64_t>(spec.projection_seed));
  group.set_attribute("l2", spec.l2);
  group.set_attribute("parameters", static_cast<std::int64_t>(mlp.dimension()));
}

void write_optimizer_attributes(const Hdf5Group& group, const Optimizer& optimizer) {
  group.set_attribute("optimizer", optimizer.name());
  for (const auto& [name, value] : optimizer.hyperparameters())
    group.set_attribute("optimizer." + name, value);
}

std::string indexed_name(const std::string& prefix, std::int64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "_%04lld", static_cast<long long>(index));
  return prefix + digits;
}

}  // namespace l2o
