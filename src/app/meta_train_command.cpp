#include "app/meta_train_command.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/meta_train_es.hpp"
#include "app/meta_train_files.hpp"
#include "app/meta_train_gps.hpp"
#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "eval/sweep.hpp"
#include "eval/task_spec.hpp"
#include "l2l/l2l_checkpoint_file.hpp"
#include "l2l/l2l_model_file.hpp"
#include "l2l/l2l_training.hpp"
#include "l2l/mlp_l2l_episode.hpp"
#include "objective/cost_set.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

L2lTrainingParams training_params(const Config& config) {
  L2lTrainingParams p;
  p.episodes = static_cast<int>(config.integer("l2l.episodes"));
  p.horizon = static_cast<int>(config.integer("l2l.horizon"));
  p.truncation = static_cast<int>(config.integer("l2l.truncation"));
  p.learning_rate = config.real("l2l.learning_rate");
  p.validation_interval = static_cast<int>(config.integer("l2l.validation_interval"));
  p.validation_episodes = static_cast<int>(config.integer("l2l.validation_episodes"));
  p.episodes_per_update = static_cast<int>(config.integer("l2l.episodes_per_update"));
  try {
    p.check();
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string(e.what()) + "; fix the [l2l] section");
  }
  return p;
}

// The delivered optimizer: best phi, its hyperparameters, the task and provenance; no state.
void write_model(const std::string& path, const L2lTrainerState& state,
                 const L2lNetworkParams& network_params, const TaskSpec& spec, const Mlp& mlp,
                 const Config& config, const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_task_attributes(file.root().create_group("task"), spec, mlp);
  const Hdf5Group model = file.root().create_group("model");
  write_l2l_model(model, state.best_parameters, network_params);
  model.set_attribute("best_validation_loss", state.best_validation_loss);
  model.set_attribute("episodes_trained", state.episodes_done);
  file.commit();
}

void write_checkpoint(const std::string& path, const L2lTrainerState& state, const Config& config,
                      const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_l2l_checkpoint(file.root().create_group("checkpoint"), state);
  file.commit();
}

int run_l2l(const Config& config, const RunOptions& options, const MetaTrainOptions& meta,
            const MpiSession& mpi) {
  // Phase 1: schedule, files, task. A stop requested from here on takes effect after the first
  // meta-batch (nothing is worth checkpointing before it).
  install_stop_request_handlers();
  const L2lTrainingParams params = training_params(config);
  L2lNetworkParams network_params;
  network_params.preprocess_p = config.real("l2l.preprocess_p");
  network_params.output_scale = config.real("l2l.output_scale");
  const std::int64_t checkpoint_every = config.integer("meta_train.checkpoint_every");
  if (checkpoint_every % params.episodes_per_update != 0)
    throw InputError("meta_train.checkpoint_every = " + std::to_string(checkpoint_every) +
                     " must be a multiple of l2l.episodes_per_update = " +
                     std::to_string(params.episodes_per_update));
  const MetaTrainFiles files = prepare_meta_train_files(config, meta.resume);
  const std::string& checkpoint_path = files.checkpoint;
  const std::string& model_path = files.model;

  const TaskSpec spec = training_task_from_config(config);
  const MlpTask task = make_task(spec);
  const auto seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const MlpTask cost_task = cost_set_task(task, config.integer("meta_train.cost_examples"), seed);
  const LstmParameters<double> initial = initial_l2l_parameters(l2l_shape(), seed);
  L2lTeam team{mpi.rank(), mpi.size(), {}};
  if (mpi.size() > 1) team.allgather = allgather;
  L2lTrainer trainer(initial, network_params, params,
                     mlp_l2l_episodes(task, cost_task, seed, "train"),
                     mlp_l2l_episodes(task, cost_task, seed, "validation"), team);

  if (meta.resume) {
    const Hdf5Group file = open_checkpoint_to_resume(checkpoint_path, config);
    try {
      trainer.import_state(read_l2l_checkpoint(file.open_group("checkpoint"), initial.shape()));
    } catch (const std::invalid_argument& e) {
      throw InputError("--resume: \"" + checkpoint_path + "\": " + e.what());
    }
  }

  const std::string label = spec.label(task.mlp().num_classes());
  const L2lTrainerState& state = trainer.state();
  const bool report = mpi.is_root() && !options.quiet;
  if (report) {
    const std::string resuming =
        meta.resume ? ", resuming after episode " + std::to_string(state.episodes_done) : "";
    std::fprintf(stderr,
                 "[meta-train] l2l on %s: %d episodes x %d steps (truncation %d, %d per update), "
                 "cost set %lld examples, on %d rank(s)%s\n",
                 label.c_str(), params.episodes, params.horizon, params.truncation,
                 params.episodes_per_update,
                 static_cast<long long>(cost_task.train().labels.size()), mpi.size(),
                 resuming.c_str());
  }

  // Phase 2: meta-batches; the model whenever the best improves, checkpoints on schedule, at the
  // end and when a stop is requested (every rank agrees on the stop at the same batch).
  const std::int64_t first_episode = state.episodes_done;
  ProgressReporter progress("meta-train", params.episodes - first_episode, 1, !report);
  const auto write_model_file = [&] {
    if (mpi.is_root())
      write_model(model_path, state, network_params, spec, task.mlp(), config, options.command_line,
                  mpi.size());
  };
  while (!trainer.finished()) {
    const double best_before = state.best_validation_loss;
    const std::size_t validations_before = state.validation_losses.size();
    trainer.run_meta_batch();
    if (state.best_validation_loss != best_before) write_model_file();
    const std::int64_t stop_signal = max_over_ranks(stop_request_signal());
    const bool stop = stop_signal != 0;
    if (mpi.is_root() &&
        (state.episodes_done % checkpoint_every == 0 || trainer.finished() || stop))
      write_checkpoint(checkpoint_path, state, config, options.command_line, mpi.size());

    double batch_loss = 0.0;
    for (int m = 0; m < params.episodes_per_update; ++m)
      batch_loss += state.episode_meta_losses[state.episode_meta_losses.size() - 1 - m];
    batch_loss /= static_cast<double>(params.episodes_per_update) * params.horizon;
    char what[256];
    const int n = std::snprintf(what, sizeof what, "episode %lld: meta-loss %.6g",
                                static_cast<long long>(state.episodes_done), batch_loss);
    if (state.validation_losses.size() != validations_before)
      std::snprintf(what + n, sizeof what - static_cast<std::size_t>(n),
                    ", validation %.6g, best %.6g", state.validation_losses.back(),
                    state.best_validation_loss);
    progress.update(state.episodes_done - first_episode, what);

    if (stop && !trainer.finished()) {
      if (mpi.is_root())
        std::fprintf(stderr,
                     "l2o: stop requested (signal %d): checkpoint \"%s\" written after episode "
                     "%lld; continue with --resume (exit %d)\n",
                     static_cast<int>(stop_signal), checkpoint_path.c_str(),
                     static_cast<long long>(state.episodes_done), kExitStopped);
      return kExitStopped;
    }
  }
  write_model_file();  // also after resuming a finished run

  if (mpi.is_root()) {
    std::printf("task        %s\nmethod      l2l, %d episodes\n", label.c_str(), params.episodes);
    std::printf("validation  initial %.6g, best %.6g\n", state.validation_losses.front(),
                state.best_validation_loss);
    std::printf("model: %s\ncheckpoint: %s\n", model_path.c_str(), checkpoint_path.c_str());
  }
  return 0;
}

}  // namespace

int run_meta_train_command(const RunOptions& options, const MetaTrainOptions& meta,
                           const MpiSession& mpi) {
  Config config = load_config(options);
  if (!meta.method.empty()) config.set("meta_train.method", meta.method);
  const std::string method = config.string("meta_train.method");
  if (method == kL2lMethod) return run_l2l(config, options, meta, mpi);
  if (config.string("gps.local_optimizer") == "es")
    return run_es_meta_train(config, options, mpi, meta.resume);
  return run_gps_meta_train(config, options, mpi, meta.resume);
}

}  // namespace l2o
