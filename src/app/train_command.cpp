#include "app/train_command.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "data/catalog.hpp"
#include "eval/run_optimizer.hpp"
#include "eval/run_record_io.hpp"
#include "eval/task_spec.hpp"
#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

TaskSpec task_from_config(const Config& config) {
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

std::unique_ptr<Optimizer> optimizer_from_config(const Config& config) {
  try {
    return make_optimizer(config.string("optimizer.name"),
                          config.numbers("optimizer.hyperparameters"));
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("optimizer.hyperparameters: ") + e.what());
  }
}

}  // namespace

int run_train_command(const RunOptions& options, const MpiSession& mpi) {
  const Config config = load_config(options);
  const std::string output = config.string("run.output");
  prepare_output_directory(output, "run.output");
  auto optimizer = optimizer_from_config(config);
  const TaskSpec spec = task_from_config(config);
  const MlpTask task = make_task(spec);
  const std::int64_t seeds = config.integer("run.seeds");
  const std::int64_t iterations = config.integer("run.iterations");
  const auto base_seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const auto my_runs = owned_units(seeds, mpi.rank(), mpi.size());
  const std::string label = spec.label(task.mlp().num_classes());
  if (mpi.is_root() && !options.quiet)
    std::fprintf(stderr, "[train] %s, %s, %lld seeds x %lld iterations on %d rank(s)\n",
                 label.c_str(), optimizer->name().c_str(), static_cast<long long>(seeds),
                 static_cast<long long>(iterations), mpi.size());

  // Each rank runs its own seeds; only rank 0 prints progress (its runs stand for all).
  ProgressReporter progress("train", static_cast<std::int64_t>(my_runs.size()) * iterations,
                            config.integer("run.progress_every"), options.quiet || !mpi.is_root());
  std::vector<double> packed;
  for (std::size_t k = 0; k < my_runs.size(); ++k) {
    const std::int64_t run = my_runs[k];
    const auto done_before = static_cast<std::int64_t>(k) * iterations;
    const RunRecord record = run_optimizer(
        task, *optimizer, base_seed + static_cast<std::uint64_t>(run), iterations, 1,
        [&](std::int64_t t, double f) {
          char what[96];
          std::snprintf(what, sizeof what, "run %lld iteration %lld true objective %.6g",
                        static_cast<long long>(run), static_cast<long long>(t), f);
          progress.update(done_before + t, what);
        });
    packed.push_back(static_cast<double>(run));
    pack_run_record(record, packed);
  }
  const std::vector<double> all = gather_to_root(packed);
  if (!mpi.is_root()) return 0;

  // Runs arrive grouped by rank; store them by run index.
  std::vector<RunRecord> records(static_cast<std::size_t>(seeds));
  for (std::size_t position = 0; position < all.size();) {
    const auto run = static_cast<std::size_t>(all[position++]);
    records[run] = unpack_run_record(all, position);
  }
  AtomicHdf5File file(output);
  write_provenance(file.root(), config, options.command_line, "train", mpi.size());
  {
    const Hdf5Group task_group = file.root().create_group("task");
    task_group.set_attribute("label", label);
    task_group.set_attribute("dataset", spec.dataset);
    task_group.set_attribute("architecture", task.mlp().architecture());
    task_group.set_attribute("batch_size", std::int64_t{spec.batch_size});
    task_group.set_attribute("projection_seed", static_cast<std::int64_t>(spec.projection_seed));
    task_group.set_attribute("l2", spec.l2);
    task_group.set_attribute("parameters", static_cast<std::int64_t>(task.dimension()));
    task_group.set_attribute("optimizer", optimizer->name());
    for (const auto& [name, value] : optimizer->hyperparameters())
      task_group.set_attribute("optimizer." + name, value);
    const Hdf5Group runs = file.root().create_group("runs");
    for (std::size_t r = 0; r < records.size(); ++r) {
      char name[32];
      std::snprintf(name, sizeof name, "run_%04zu", r);
      const Hdf5Group group = runs.create_group(name);
      group.set_attribute("seed", static_cast<std::int64_t>(base_seed + r));
      write_run_record(group, records[r]);
    }
  }
  file.commit();

  // Summary on stdout: final true objective per run and its mean.
  std::printf("task       %s\noptimizer  %s\n", label.c_str(), optimizer->name().c_str());
  // A diverged run may end in NaN/Inf: it is counted, not averaged (its curve is in the file).
  double sum = 0.0, sum_sq = 0.0;
  std::size_t finished = 0;
  for (std::size_t r = 0; r < records.size(); ++r) {
    const double final_objective = records[r].true_objective.back();
    const bool diverged = records[r].diverged_at >= 0;
    if (!diverged) {
      sum += final_objective;
      sum_sq += final_objective * final_objective;
      ++finished;
    }
    std::printf("run %zu (seed %llu): true objective %.6f -> %.6f%s\n", r,
                static_cast<unsigned long long>(base_seed + r), records[r].true_objective.front(),
                final_objective, diverged ? " (diverged)" : "");
  }
  if (finished > 0) {
    const double n = static_cast<double>(finished);
    const double mean = sum / n;
    std::printf("final true objective: mean %.6f, std %.6f over %zu runs", mean,
                std::sqrt(std::max(0.0, sum_sq / n - mean * mean)), finished);
    if (finished < records.size()) std::printf(" (%zu diverged)", records.size() - finished);
  } else {
    std::printf("final true objective: none, every run diverged");
  }
  std::printf("\nresult: %s\n", output.c_str());
  return 0;
}

}  // namespace l2o
