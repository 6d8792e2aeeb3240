#include "app/evaluate_command.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>

#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "app/sweep_progress.hpp"
#include "eval/evaluate_plan.hpp"
#include "eval/run_record_io.hpp"
#include "eval/sweep.hpp"
#include "util/error.hpp"
#include "util/random_stream.hpp"

namespace l2o {
namespace {

// The keys that determine evaluate's runs: a progress file is resumed only under the same
// values. The files evaluate.tuned and evaluate.learned may move; what the runs take from them
// is compared instead (sweep_inputs).
bool determines_evaluation(const std::string& key) {
  if (key == "evaluate.tuned" || key == "evaluate.learned") return false;
  return key.starts_with("evaluate.") || key == "run.seed" || key == "task.l2" ||
         key == "task.projection_seed";
}

// One line per optimizer: the tuned hyperparameters (exact), or the FNV-1a hash of the learned
// model's file.
std::string sweep_inputs(const std::vector<EvaluatedOptimizer>& entries) {
  std::string text;
  for (const auto& entry : entries) {
    char line[128];
    if (entry.model_path.empty()) {
      text += "setting of " + entry.name + " from evaluate.tuned:";
      for (const auto& [name, value] : entry.hyperparameters) {
        std::snprintf(line, sizeof line, " %s=%.17g", name.c_str(), value);
        text += line;
      }
    } else {
      std::ifstream in(entry.model_path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      std::snprintf(line, sizeof line, ": fnv1a-64 %016llx",
                    static_cast<unsigned long long>(hash_purpose(bytes)));
      text += "model of " + entry.name + " from evaluate.learned" + line;
    }
    text += "\n";
  }
  return text;
}

}  // namespace

int run_evaluate_command(const RunOptions& options, const MpiSession& mpi) {
  // Phase 1: config, tasks, optimizers (their tuned settings), progress file. A stop requested
  // from here on takes effect after the first round of runs.
  install_stop_request_handlers();
  const Config config = load_config(options);
  const std::string output = config.string("run.output");
  prepare_output_directory(output, "run.output");
  const auto tasks = evaluation_tasks(config);
  const auto entries = combined_optimizers(
      tuned_optimizers(config.string("evaluate.tuned"), config.strings("evaluate.optimizers")),
      learned_optimizers(config.strings("evaluate.learned"), tasks));
  std::vector<std::unique_ptr<Optimizer>> optimizers;
  for (const auto& entry : entries) optimizers.push_back(entry.make());
  const std::int64_t seeds = config.integer("evaluate.seeds");
  const std::int64_t record_every = config.integer("evaluate.record_every");
  const auto base_seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const auto per_task = static_cast<std::int64_t>(optimizers.size()) * seeds;
  const auto units = static_cast<std::int64_t>(tasks.size()) * per_task;
  SweepProgress saved(output, {"evaluate", units, determines_evaluation, sweep_inputs(entries)},
                      config, options.command_line, mpi.size(), options.resume);
  if (mpi.is_root() && !options.quiet)
    std::fprintf(stderr,
                 "[evaluate] %zu tasks x %zu optimizers x %lld seeds = %lld runs on %d rank(s)%s\n",
                 tasks.size(), optimizers.size(), static_cast<long long>(seeds),
                 static_cast<long long>(units), mpi.size(), saved.resume_note().c_str());

  // Phase 2: the runs. Unit u = (task u / per_task, optimizer (u / seeds) mod #optimizers, seed
  // index u mod seeds); a rank's units are increasing, so each task is built once per rank.
  UnitRecords& records = saved.finished();
  ProgressReporter progress("evaluate", sweep_share(units, records, mpi.rank(), mpi.size()), 1,
                            options.quiet || !mpi.is_root());
  std::int64_t done = 0;
  std::optional<MlpTask> task;
  std::int64_t built = -1;
  std::vector<std::int64_t> num_classes(tasks.size(), 0);  // known where a task was built
  const auto run_unit = [&](std::int64_t unit) {
    const std::int64_t t = unit / per_task;
    const auto o =
        static_cast<std::size_t>((unit / seeds) % static_cast<std::int64_t>(optimizers.size()));
    const std::int64_t seed_index = unit % seeds;
    if (built != t) {
      task.reset();  // free the previous data set first
      try {
        task.emplace(make_task(tasks[static_cast<std::size_t>(t)].spec));
      } catch (const InputError& e) {
        // Only the ranks owning this task's units see the error (say, a missing data set); the
        // others would wait in the gather forever, so this rank ends them all.
        if (mpi.size() == 1) throw;
        std::fprintf(stderr, "l2o: error: %s\n", e.what());
        abort_all(2);
      }
      built = t;
      num_classes[static_cast<std::size_t>(t)] = task->mlp().num_classes();
    }
    RunRecord record =
        run_optimizer(*task, *optimizers[o], base_seed + static_cast<std::uint64_t>(seed_index),
                      tasks[static_cast<std::size_t>(t)].iterations, record_every);
    char what[256];
    std::snprintf(what, sizeof what, "run %lld/%lld %s %s seed %lld: final %.6g%s",
                  static_cast<long long>(unit + 1), static_cast<long long>(units),
                  tasks[static_cast<std::size_t>(t)].name().c_str(), entries[o].name.c_str(),
                  static_cast<long long>(seed_index), record.true_objective.back(),
                  record.diverged_at >= 0 ? " (diverged)" : "");
    progress.update(++done, what);
    return record;
  };
  if (run_saved_sweep(saved, mpi, run_unit) != 0) return kExitStopped;
  for (auto& classes : num_classes) classes = max_over_ranks(classes);
  if (!mpi.is_root()) return 0;
  // A task whose runs were all resumed was built nowhere: its class count comes from its data.
  for (std::size_t t = 0; t < tasks.size(); ++t)
    if (num_classes[t] == 0) num_classes[t] = make_task(tasks[t].spec).mlp().num_classes();

  // Phase 3: results.h5, and a summary of final objectives on stdout.
  AtomicHdf5File file(output);
  write_provenance(file.root(), config, options.command_line, "evaluate", mpi.size());
  const Hdf5Group tasks_group = file.root().create_group("tasks");
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const TaskSpec& spec = tasks[t].spec;
    const Mlp mlp(spec.input_dim, spec.hidden, static_cast<int>(num_classes[t]), spec.l2,
                  spec.activation);
    const Hdf5Group task_group = tasks_group.create_group(tasks[t].name());
    write_task_attributes(task_group, spec, mlp);
    task_group.set_attribute("iterations", tasks[t].iterations);
    task_group.set_attribute("record_every", record_every);
    task_group.set_attribute("index", static_cast<std::int64_t>(t));
    std::printf("task %s\n", task_group.string_attribute("label").c_str());
    for (std::size_t o = 0; o < optimizers.size(); ++o) {
      const Hdf5Group group = task_group.create_group(entries[o].name);
      write_optimizer_attributes(group, *optimizers[o]);
      group.set_attribute("index", static_cast<std::int64_t>(o));
      if (!entries[o].model_path.empty()) group.set_attribute("model", entries[o].model_path);
      double sum = 0.0;
      std::int64_t diverged = 0;
      for (std::int64_t k = 0; k < seeds; ++k) {
        const auto& record = records.at(static_cast<std::int64_t>(t) * per_task +
                                        static_cast<std::int64_t>(o) * seeds + k);
        const Hdf5Group run = group.create_group(indexed_name("run", k));
        run.set_attribute("seed",
                          static_cast<std::int64_t>(base_seed + static_cast<std::uint64_t>(k)));
        write_run_record(run, record);
        sum += record.true_objective.back();
        diverged += record.diverged_at >= 0 ? 1 : 0;
      }
      std::printf("  %-9s final true objective mean %.6g over %lld seeds", entries[o].name.c_str(),
                  sum / static_cast<double>(seeds), static_cast<long long>(seeds));
      if (diverged > 0) std::printf(" (%lld diverged)", static_cast<long long>(diverged));
      std::printf("\n");
    }
  }
  file.commit();
  saved.remove();
  std::printf("result: %s\n", output.c_str());
  return 0;
}

}  // namespace l2o
