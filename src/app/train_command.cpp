#include "app/train_command.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "data/catalog.hpp"
#include "eval/learned_optimizer.hpp"
#include "eval/run_optimizer.hpp"
#include "eval/run_record_io.hpp"
#include "eval/sweep.hpp"
#include "eval/task_spec.hpp"
#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// optimizer.model (a learned optimizer's model file) if set, else the hand-designed
// optimizer.name; a learned one is checked against the task's layer roles before any data loads.
std::unique_ptr<Optimizer> optimizer_from_config(const Config& config, const TaskSpec& spec) {
  const std::string& model = config.string("optimizer.model");
  if (!model.empty()) {
    std::unique_ptr<Optimizer> optimizer;
    try {
      optimizer = load_learned_optimizer(model);
    } catch (const InputError& e) {
      throw InputError(std::string("optimizer.model: ") + e.what());
    }
    try {
      // Roles depend on the layer count only, so any class count gives the task's roles.
      optimizer->check_groups(Mlp(spec.input_dim, spec.hidden, 10).groups());
    } catch (const std::invalid_argument& e) {
      throw InputError("optimizer.model: " + model + ": " + e.what());
    }
    return optimizer;
  }
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
  const TaskSpec spec = training_task_from_config(config);
  auto optimizer = optimizer_from_config(config, spec);
  const MlpTask task = make_task(spec);
  const std::int64_t seeds = config.integer("run.seeds");
  const std::int64_t iterations = config.integer("run.iterations");
  const auto base_seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const std::string label = spec.label(task.mlp().num_classes());
  if (mpi.is_root() && !options.quiet)
    std::fprintf(stderr, "[train] %s, %s, %lld seeds x %lld iterations on %d rank(s)\n",
                 label.c_str(), optimizer->name().c_str(), static_cast<long long>(seeds),
                 static_cast<long long>(iterations), mpi.size());

  // Each rank runs its own seeds (unit u on rank u mod size); only rank 0 prints progress, its
  // runs standing for all.
  const std::int64_t my_run_count = (seeds - mpi.rank() + mpi.size() - 1) / mpi.size();
  ProgressReporter progress("train", my_run_count * iterations,
                            config.integer("run.progress_every"), options.quiet || !mpi.is_root());
  std::int64_t runs_done = 0;
  const std::vector<RunRecord> records =
      run_units_distributed(seeds, mpi.rank(), mpi.size(), [&](std::int64_t run) {
        const std::int64_t done_before = runs_done++ * iterations;
        return run_optimizer(task, *optimizer, base_seed + static_cast<std::uint64_t>(run),
                             iterations, 1, [&](std::int64_t t, double f) {
                               char what[96];
                               std::snprintf(
                                   what, sizeof what, "run %lld iteration %lld true objective %.6g",
                                   static_cast<long long>(run), static_cast<long long>(t), f);
                               progress.update(done_before + t, what);
                             });
      });
  if (!mpi.is_root()) return 0;

  AtomicHdf5File file(output);
  write_provenance(file.root(), config, options.command_line, "train", mpi.size());
  {
    const Hdf5Group task_group = file.root().create_group("task");
    write_task_attributes(task_group, spec, task.mlp());
    write_optimizer_attributes(task_group, *optimizer);
    if (const std::string& model = config.string("optimizer.model"); !model.empty())
      task_group.set_attribute("model", model);
    const Hdf5Group runs = file.root().create_group("runs");
    for (std::size_t r = 0; r < records.size(); ++r) {
      const Hdf5Group group = runs.create_group(indexed_name("run", static_cast<std::int64_t>(r)));
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
