#include "eval/sweep.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "data/catalog.hpp"
#include "dist/mpi_session.hpp"
#include "eval/run_record_io.hpp"

namespace l2o {

std::vector<RunRecord> run_units_distributed(std::int64_t count, int rank, int size,
                                             const UnitRunner& run_unit) {
  std::vector<double> packed;
  for (const std::int64_t unit : owned_units(count, rank, size)) {
    const RunRecord record = run_unit(unit);
    packed.push_back(static_cast<double>(unit));
    pack_run_record(record, packed);
  }
  const std::vector<double> all = gather_to_root(packed);
  if (rank != 0) return {};
  // Records arrive grouped by rank; place them by unit index.
  std::vector<RunRecord> records(static_cast<std::size_t>(count));
  for (std::size_t position = 0; position < all.size();) {
    const auto unit = static_cast<std::size_t>(all[position++]);
    records.at(unit) = unpack_run_record(all, position);
  }
  return records;
}

TaskSpec training_task_from_config(const Config& config) {
  TaskSpec spec;
  spec.dataset = config.string("task.dataset");
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
