#include "app/tune_command.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "app/sweep_progress.hpp"
#include "app/tune_refinement.hpp"
#include "eval/run_record_io.hpp"
#include "eval/sweep.hpp"
#include "eval/tune_grid.hpp"
#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// The keys that determine tune's runs: a progress file is resumed only under the same values
// (paths, data.dir and reporting may change; the coarse file of tune.refine enters as inputs).
bool determines_tuning(const std::string& key) {
  return (key.starts_with("task.") || key.starts_with("tune.") || key == "run.seed" ||
          key == "run.iterations") &&
         key != "tune.refine";
}

// The keys on which a refinement and its coarse tune agree: all that determine the coarse runs.
bool determines_coarse_tuning(const std::string& key) {
  return determines_tuning(key) && !key.starts_with("tune.refine");
}

}  // namespace

int run_tune_command(const RunOptions& options, const MpiSession& mpi) {
  // Phase 1: config, grid, task, progress file. A stop requested from here on takes effect after
  // the first round of runs.
  install_stop_request_handlers();
  const Config config = load_config(options);
  const std::string output = config.string("run.output");
  prepare_output_directory(output, "run.output");
  const TuneGrid grid = TuneGrid::from_config(config);
  std::vector<TuneSetting> settings = tune_settings(grid, config.strings("tune.optimizers"));
  const std::int64_t seeds = config.integer("tune.seeds");
  // A refinement (tune.refine) continues the coarse sweep: the coarse settings keep their unit
  // numbers and finished records, the refinement settings follow them.
  const std::size_t coarse_settings = settings.size();
  const bool refining = !config.string("tune.refine").empty();
  UnitRecords coarse;
  std::vector<TuneChoice> coarse_choices;
  std::string inputs;
  if (refining) {
    coarse = read_coarse_tune(config, static_cast<std::int64_t>(coarse_settings) * seeds, seeds,
                              determines_coarse_tuning);
    coarse_choices = choose_settings(settings, setting_scores(coarse, coarse_settings, seeds));
    for (const auto& choice : coarse_choices) {
      const TuneSetting best = settings[choice.setting];
      for (auto& setting :
           refinement_settings(grid, best, config.integer("tune.refine_points_per_decade")))
        settings.push_back(std::move(setting));
      inputs += "coarse best of " + best.optimizer + " from tune.refine: " + best.label() + "\n";
    }
  }
  std::vector<std::unique_ptr<Optimizer>> optimizers;
  for (const auto& setting : settings) {
    try {
      optimizers.push_back(make_optimizer(setting.optimizer, setting.hyperparameters));
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("tune grid: ") + e.what());
    }
  }
  const std::int64_t iterations = config.integer("run.iterations");
  const std::int64_t record_every = config.integer("tune.record_every");
  const auto base_seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const auto units = static_cast<std::int64_t>(settings.size()) * seeds;
  SweepProgress saved(output, {"tune", units, determines_tuning, inputs}, config,
                      options.command_line, mpi.size(), options.resume);
  for (auto& [unit, record] : coarse) saved.finished()[unit] = std::move(record);
  const TaskSpec spec = training_task_from_config(config);
  const MlpTask task = make_task(spec);
  const std::string label = spec.label(task.mlp().num_classes());
  if (mpi.is_root() && !options.quiet) {
    const std::string refinement =
        refining ? " (" + std::to_string(coarse_settings) + " coarse from " +
                       config.string("tune.refine") + ", " +
                       std::to_string(settings.size() - coarse_settings) + " refinement)"
                 : "";
    std::fprintf(
        stderr,
        "[tune] %s: %zu settings%s x %lld seeds x %lld iterations = %lld runs on %d rank(s)%s\n",
        label.c_str(), settings.size(), refinement.c_str(), static_cast<long long>(seeds),
        static_cast<long long>(iterations), static_cast<long long>(units), mpi.size(),
        saved.resume_note().c_str());
  }

  // Phase 2: the runs. Unit u = (setting u / seeds, seed index u % seeds); its seed depends on the
  // seed index only, so every setting, coarse or refinement, sees the same initial points and
  // minibatches.
  UnitRecords& records = saved.finished();
  ProgressReporter progress("tune", sweep_share(units, records, mpi.rank(), mpi.size()), 1,
                            options.quiet || !mpi.is_root());
  std::int64_t done = 0;
  const auto run_unit = [&](std::int64_t unit) {
    const auto s = static_cast<std::size_t>(unit / seeds);
    const std::int64_t seed_index = unit % seeds;
    RunRecord record =
        run_optimizer(task, *optimizers[s], base_seed + static_cast<std::uint64_t>(seed_index),
                      iterations, record_every);
    char what[256];
    std::snprintf(what, sizeof what, "run %lld/%lld %s %s seed %lld: score %.6g",
                  static_cast<long long>(unit + 1), static_cast<long long>(units),
                  settings[s].optimizer.c_str(), settings[s].label().c_str(),
                  static_cast<long long>(seed_index), curve_score(record));
    progress.update(++done, what);
    return record;
  };
  if (run_saved_sweep(saved, mpi, run_unit) != 0) return kExitStopped;
  if (!mpi.is_root()) return 0;

  // Phase 3: scores (mean over seeds; any diverged seed makes the setting +inf) and choices,
  // over the coarse and the refinement settings together.
  const std::vector<double> scores = setting_scores(records, settings.size(), seeds);
  std::vector<std::int64_t> diverged(settings.size(), 0);
  for (std::int64_t unit = 0; unit < units; ++unit)
    diverged[static_cast<std::size_t>(unit / seeds)] += records.at(unit).diverged_at >= 0 ? 1 : 0;
  const auto choices = choose_settings(settings, scores);

  // Phase 4: tuned.h5.
  AtomicHdf5File file(output);
  write_provenance(file.root(), config, options.command_line, "tune", mpi.size());
  {
    const Hdf5Group task_group = file.root().create_group("task");
    write_task_attributes(task_group, spec, task.mlp());
    task_group.set_attribute("iterations", iterations);
    task_group.set_attribute("record_every", record_every);
    task_group.set_attribute("seeds", seeds);
    if (refining) {
      const Hdf5Group refinement = file.root().create_group("refinement");
      refinement.set_attribute("coarse_file", config.string("tune.refine"));
      refinement.set_attribute("coarse_settings", static_cast<std::int64_t>(coarse_settings));
      refinement.set_attribute("points_per_decade",
                               config.integer("tune.refine_points_per_decade"));
    }
    const Hdf5Group settings_group = file.root().create_group("settings");
    for (std::size_t s = 0; s < settings.size(); ++s) {
      const Hdf5Group group =
          settings_group.create_group(indexed_name("setting", static_cast<std::int64_t>(s)));
      write_optimizer_attributes(group, *optimizers[s]);
      group.set_attribute("label", settings[s].label());
      group.set_attribute("refinement", std::int64_t{s >= coarse_settings ? 1 : 0});
      group.set_attribute("score", scores[s]);
      group.set_attribute("diverged_runs", diverged[s]);
      for (std::int64_t k = 0; k < seeds; ++k) {
        const Hdf5Group run = group.create_group(indexed_name("run", k));
        run.set_attribute("seed",
                          static_cast<std::int64_t>(base_seed + static_cast<std::uint64_t>(k)));
        write_run_record(run, records.at(static_cast<std::int64_t>(s) * seeds + k));
      }
    }
    const Hdf5Group chosen = file.root().create_group("chosen");
    for (const auto& choice : choices) {
      const Hdf5Group group = chosen.create_group(choice.optimizer);
      write_optimizer_attributes(group, *optimizers[choice.setting]);
      group.set_attribute("setting", static_cast<std::int64_t>(choice.setting));
      group.set_attribute("label", settings[choice.setting].label());
      group.set_attribute("refinement", std::int64_t{choice.setting >= coarse_settings ? 1 : 0});
      group.set_attribute("score", choice.score);
    }
  }
  file.commit();
  saved.remove();

  // Summary on stdout: the chosen setting per optimizer (and, refining, the coarse one).
  std::printf("task  %s (%lld iterations, %lld seeds)\n", label.c_str(),
              static_cast<long long>(iterations), static_cast<long long>(seeds));
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const auto& choice = choices[i];
    std::printf("%-9s %-40s mean true objective %.6g%s\n", choice.optimizer.c_str(),
                settings[choice.setting].label().c_str(), choice.score,
                std::isfinite(choice.score) ? "" : " (every setting diverged)");
    if (refining)
      std::printf("%-9s %-40s mean true objective %.6g (coarse best)\n", "",
                  settings[coarse_choices[i].setting].label().c_str(), coarse_choices[i].score);
  }
  std::printf("result: %s\n", output.c_str());
  return 0;
}

}  // namespace l2o
