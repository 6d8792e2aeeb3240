#include "app/meta_train_gps.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/meta_train_files.hpp"
#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "eval/evaluate_plan.hpp"
#include "eval/sweep.hpp"
#include "eval/task_spec.hpp"
#include "gps/files/gps_checkpoint_file.hpp"
#include "gps/files/gps_iteration_record.hpp"
#include "gps/files/gps_model_file.hpp"
#include "gps/loop/gps_iteration.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

// The adagrad/rmsprop start's learning rates: gps.initial_group_learning_rates, else the rate
// `l2o tune` chose (gps.initial_tuned). The tuned optimizer must have the constants of the
// adaptive features' directions (feature_set.hpp), or psi_0 would not be that optimizer.
std::vector<double> start_learning_rates(const Config& config) {
  const std::vector<double> rates = config.reals("gps.initial_group_learning_rates");
  if (!rates.empty()) return rates;
  const std::string name = config.string("gps.initial_controller");
  const std::string path = config.string("gps.initial_tuned");
  if (path.empty()) {
    throw InputError("gps.initial_controller = \"" + name +
                     "\" needs its learning rates: set gps.initial_group_learning_rates or "
                     "gps.initial_tuned (an `l2o tune` output)");
  }
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError("gps.initial_tuned = \"" + path +
                     "\": no such file; run `l2o tune` first or set "
                     "gps.initial_group_learning_rates");
  }
  std::map<std::string, double> tuned;
  try {
    tuned = tuned_optimizers(path, {name}).front().hyperparameters;
  } catch (const InputError& e) {
    throw InputError(std::string("gps.initial_tuned: ") + e.what());
  }
  const std::map<std::string, double> directions =
      name == "adagrad"
          ? std::map<std::string, double>{{"initial_accumulator", 0.0},
                                          {"epsilon", kAdagradEpsilon}}
          : std::map<std::string, double>{{"alpha", kRmspropDecay}, {"epsilon", kRmspropEpsilon}};
  for (const auto& [field, value] : directions) {
    if (tuned.at(field) != value) {
      char numbers[96];
      std::snprintf(numbers, sizeof numbers, " = %.17g, the adaptive features use %.17g",
                    tuned.at(field), value);
      throw InputError("gps.initial_tuned = \"" + path + "\": the tuned " + name + " has " + field +
                       numbers + "; set gps.initial_group_learning_rates instead");
    }
  }
  return {tuned.at("learning_rate")};
}

// §13's defaults with the [gps] keys and meta_train.cost_examples applied.
GpsParams gps_params(const Config& config) {
  GpsParams p;
  p.horizon = static_cast<int>(config.integer("gps.horizon"));
  p.rollouts = static_cast<int>(config.integer("gps.rollouts"));
  p.max_recorded = static_cast<Eigen::Index>(config.integer("gps.recorded_coordinates"));
  p.features = parse_feature_set(config.string("gps.features"));
  p.own_step_response = parse_own_step_response(config.string("gps.own_step_response"));
  p.step_control = parse_step_control(config.string("gps.step_control"));
  p.cost.curvature = parse_curvature_estimate(config.string("gps.curvature"));
  p.dynamics.full_initial_covariance = config.string("gps.initial_state_covariance") == "full";
  p.dynamics.prior = parse_dynamics_prior(config.string("gps.dynamics_prior"));
  p.reuse_previous_samples = config.string("gps.sample_reuse") == "previous";
  p.inner_iterations = static_cast<int>(config.integer("gps.inner_iterations"));
  p.evaluation_rollouts = static_cast<int>(config.integer("gps.evaluation_rollouts"));
  p.noise_free_rollouts = static_cast<int>(config.integer("gps.noise_free_rollouts"));
  p.cost_set_examples = config.integer("meta_train.cost_examples");
  p.dgd.kl_step = config.real("gps.kl_step");
  p.policy.hidden_size = static_cast<Eigen::Index>(config.integer("gps.policy_hidden_size"));
  p.policy_training.max_steps = static_cast<int>(config.integer("gps.policy_max_steps"));
  p.initial_controller.learning_rates = config.reals("gps.initial_learning_rates");
  p.initial_controller.momentums = config.reals("gps.initial_momentums");
  p.initial_controller.kind = parse_initial_controller(config.string("gps.initial_controller"));
  if (p.initial_controller.kind != InitialControllerKind::grid) {
    p.initial_controller.group_learning_rates = start_learning_rates(config);
  }
  p.initial_controller.pilot_rollouts =
      static_cast<int>(config.integer("gps.initial_pilot_rollouts"));
  p.initial_controller.score_stride = static_cast<int>(config.integer("gps.initial_score_stride"));
  if (p.initial_controller.score_stride > p.horizon)
    throw InputError(
        "gps.initial_score_stride = " + std::to_string(p.initial_controller.score_stride) +
        " exceeds gps.horizon = " + std::to_string(p.horizon) + "; make it at most the horizon");
  try {
    p.check();
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string(e.what()) + "; fix the [gps] section");
  }
  return p;
}

// The delivered optimizer: the policies of the best iteration, its score, task and provenance.
void write_model(const std::string& path, const GpsState& state, FeatureSet features, double score,
                 int iteration, const TaskSpec& spec, const Mlp& mlp, const Config& config,
                 const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_task_attributes(file.root().create_group("task"), spec, mlp);
  const Hdf5Group model = file.root().create_group("model");
  write_gps_model(model, state.policies, features, mlp);
  model.set_attribute("evaluation_score", score);
  model.set_attribute("iteration", static_cast<std::int64_t>(iteration));
  file.commit();
}

void write_checkpoint(const std::string& path, const GpsCheckpoint& checkpoint,
                      const Config& config, const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_gps_checkpoint(file.root().create_group("checkpoint"), checkpoint);
  file.commit();
}

// The directory of the per-iteration records: the checkpoint's path without ".h5" plus
// "_iterations" (results/gps_checkpoint.h5 -> results/gps_checkpoint_iterations/).
std::filesystem::path records_directory(const std::string& checkpoint) {
  std::filesystem::path path(checkpoint);
  path.replace_extension();
  path += "_iterations";
  return path;
}

// A fresh run starts an empty record directory (an earlier run's records would mislead).
void start_records(const std::filesystem::path& directory, bool resume) {
  if (!resume) std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
}

// iteration_<i>.h5, written before the checkpoint: a kill between the two re-runs the iteration,
// which rewrites the same record, so every checkpointed iteration has its record.
void write_record(const std::filesystem::path& directory, const GpsIterationSummary& summary,
                  const Config& config, const std::string& command_line, int ranks) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration_%04d.h5", summary.iteration);
  AtomicHdf5File file((directory / name).string());
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_gps_iteration_record(file.root(), summary);
  file.commit();
}

double mean_eta(const GpsState& state) {
  double sum = 0.0;
  for (const GpsGroupState& g : state.groups) sum += g.eta;
  return sum / static_cast<double>(state.groups.size());
}

// "iteration i: psi cost ..., pi score ... (best ...), KL ... -> ..., eta ...; seconds ...;
// improvement predicted P realised R": the compute seconds per phase, the seconds inside MPI
// collectives, then the summed predicted and the realised improvement of psi's mean objective.
std::string progress_text(const GpsIterationSummary& s, const GpsCheckpoint& checkpoint) {
  char text[512];
  std::snprintf(text, sizeof text,
                "iteration %d: psi cost %.6g, pi score %.6g (best %.6g at %d), KL %.4g -> %.4g, "
                "eta %.4g; seconds sampling %.1f fits %.1f lqg %.1f policy %.1f evaluation %.1f "
                "communication %.1f; improvement predicted %.4g realised %.4g",
                s.iteration, s.mean_sample_cost, s.evaluation.score, checkpoint.best_score,
                checkpoint.best_iteration, s.mean_initial_kl, s.mean_final_kl,
                mean_eta(checkpoint.state), s.seconds.sampling, s.seconds.fits, s.seconds.lqg,
                s.seconds.policy_training, s.seconds.evaluation, s.seconds.communication,
                s.predicted_improvement, s.realised_improvement);
  return text;
}

}  // namespace

int run_gps_meta_train(const Config& config, const RunOptions& options, const MpiSession& mpi,
                       bool resume) {
  // Phase 1: parameters, files, task, state, on every rank (each rank holds the full GpsState,
  // gps_iteration.hpp; only rank 0 writes). A stop requested from here on takes effect after the
  // first iteration (nothing is worth checkpointing before it).
  install_stop_request_handlers();
  const GpsParams params = gps_params(config);
  const int iterations = static_cast<int>(config.integer("gps.iterations"));
  const MetaTrainFiles files = prepare_meta_train_files(config, resume);
  const TaskSpec spec = training_task_from_config(config);
  const MlpTask task = make_task(spec);
  const auto seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const MlpTask cost_set = gps_cost_set(task, params, seed);
  GpsCheckpoint checkpoint = [&] {
    if (!resume) {
      GpsCheckpoint fresh;  // no best score yet
      fresh.state = initialise_gps(task, cost_set, params, seed);
      return fresh;
    }
    const Hdf5Group file = open_checkpoint_to_resume(files.checkpoint, config);
    return read_gps_checkpoint(file.open_group("checkpoint"), params, task.mlp().groups().size());
  }();
  GpsState& state = checkpoint.state;

  const std::string label = spec.label(task.mlp().num_classes());
  const bool report = mpi.is_root() && !options.quiet;
  if (report) {
    const std::string resuming =
        resume ? ", resuming at iteration " + std::to_string(state.iteration) : "";
    std::fprintf(stderr,
                 "[meta-train] gps on %s: %d iterations of %d rollouts x %d steps (R = %d), "
                 "cost set %lld examples, initial controller %s alpha %.6g beta %.6g, on %d "
                 "rank(s)%s\n",
                 label.c_str(), iterations, params.rollouts, params.horizon,
                 params.inner_iterations, static_cast<long long>(cost_set.train().labels.size()),
                 initial_controller_name(params.initial_controller.kind).c_str(),
                 state.initial_alpha, state.initial_beta, mpi.size(), resuming.c_str());
  }

  // Phase 2: iterations (§12); the model whenever pi's score improves, a checkpoint after each,
  // and a stop request honoured once the iteration is checkpointed (every rank agrees on it).
  const int first_iteration = state.iteration;
  const std::filesystem::path records = records_directory(files.checkpoint);
  if (mpi.is_root()) start_records(records, resume);
  ProgressReporter progress("meta-train", iterations - first_iteration, 1, !report);
  while (state.iteration < iterations) {
    const GpsIterationSummary summary = run_gps_iteration(task, cost_set, params, state);
    if (summary.evaluation.score < checkpoint.best_score) {
      checkpoint.best_score = summary.evaluation.score;
      checkpoint.best_iteration = summary.iteration;
      if (mpi.is_root())
        write_model(files.model, state, params.features, checkpoint.best_score,
                    checkpoint.best_iteration, spec, task.mlp(), config, options.command_line,
                    mpi.size());
    }
    if (mpi.is_root()) {
      write_record(records, summary, config, options.command_line, mpi.size());
      write_checkpoint(files.checkpoint, checkpoint, config, options.command_line, mpi.size());
    }
    progress.update(state.iteration - first_iteration, progress_text(summary, checkpoint));
    const auto stop_signal = static_cast<int>(max_over_ranks(stop_request_signal()));
    if (stop_signal != 0 && state.iteration < iterations) {
      if (mpi.is_root())
        std::fprintf(stderr,
                     "l2o: stop requested (signal %d): checkpoint \"%s\" written after "
                     "iteration %d; continue with --resume (exit %d)\n",
                     stop_signal, files.checkpoint.c_str(), state.iteration - 1, kExitStopped);
      return kExitStopped;
    }
  }

  if (!mpi.is_root()) return 0;
  std::printf("task        %s\nmethod      gps, %d iterations\n", label.c_str(), iterations);
  if (checkpoint.best_iteration >= 0) {
    std::printf("evaluation  best score %.6g at iteration %d\nmodel: %s\n", checkpoint.best_score,
                checkpoint.best_iteration, files.model.c_str());
  } else {
    std::printf("evaluation  no iteration scored finitely; no model written\n");
  }
  std::printf("checkpoint: %s\niterations: %s\n", files.checkpoint.c_str(), records.c_str());
  return 0;
}

}  // namespace l2o
