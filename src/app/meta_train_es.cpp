#include "app/meta_train_es.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "app/config_difference.hpp"
#include "app/meta_train_files.hpp"
#include "app/meta_train_imitation.hpp"
#include "app/meta_train_instances.hpp"
#include "app/progress_reporter.hpp"
#include "app/provenance.hpp"
#include "app/stop_request.hpp"
#include "dist/unit_gather.hpp"
#include "eval/sweep.hpp"
#include "eval/task_spec.hpp"
#include "gps/es/es_checkpoint_file.hpp"
#include "gps/es/es_meta_loss.hpp"
#include "gps/es/es_model_file.hpp"
#include "gps/es/es_search.hpp"
#include "gps/files/gps_model_file.hpp"
#include "optim/adagrad.hpp"
#include "optim/rmsprop.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

EsSearchParams search_params(const Config& config) {
  EsSearchParams p;
  p.pairs = static_cast<int>(config.integer("gps.es_pairs"));
  p.sigma = config.real("gps.es_sigma");
  p.learning_rate = config.real("gps.es_learning_rate");
  p.trust_radius = config.real("gps.es_trust_radius");
  p.momentum_scale = config.real("gps.es_momentum_scale");
  p.decay_scale = config.real("gps.es_decay_scale");
  try {
    p.check();
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("gps.") + e.what() + "; fix the [gps] section");
  }
  return p;
}

// psi_0: the tuned optimizer of gps.es_start exactly, with its default epsilon; the size rule's
// reference is the training net.
EsController start_controller(const Config& config, const std::vector<ParameterGroup>& groups) {
  const std::size_t group_count = groups.size();
  const std::vector<double> knots = es_knot_times(static_cast<int>(config.integer("gps.es_knots")),
                                                  static_cast<int>(config.integer("gps.horizon")));
  const double rate = config.real("gps.es_start_learning_rate");
  EsController psi =
      config.string("gps.es_start") == "rmsprop"
          ? rmsprop_controller(rate, config.real("gps.es_start_alpha"), RmspropParameters{}.epsilon,
                               knots, group_count)
          : adagrad_controller(rate, AdagradParameters{}.epsilon, knots, group_count);
  set_reference_sizes(psi, groups);
  return psi;
}

void write_model(const std::string& path, const EsController& psi, const EsCheckpoint& checkpoint,
                 const TaskSpec& spec, const Mlp& mlp, const Config& config,
                 const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_task_attributes(file.root().create_group("task"), spec, mlp);
  const Hdf5Group model = file.root().create_group("model");
  write_es_controller(model, psi);
  model.set_attribute("generation", static_cast<std::int64_t>(checkpoint.generation));
  file.commit();
}

void write_policy_model(const std::string& path, const std::vector<GpsPolicy>& policies,
                        FeatureSet features, const RelativeOutput& relative, const TaskSpec& spec,
                        const Mlp& mlp, const Config& config, const std::string& command_line,
                        int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_task_attributes(file.root().create_group("task"), spec, mlp);
  write_gps_model(file.root().create_group("model"), policies, features, mlp, &relative);
  file.commit();
}

// psi's model file: meta_train.model, or gps.es_model when the imitation phase writes pi there.
std::string es_model_path(const Config& config, const ImitationParams& imitation) {
  if (imitation.rounds == 0) return config.string("meta_train.model");
  const std::string path = config.string("gps.es_model");
  if (path.empty())
    throw InputError(
        "gps.es_model is empty but gps.imitation_rounds > 0 writes pi to meta_train.model; name "
        "a file for psi in gps.es_model");
  if (std::filesystem::absolute(path) ==
      std::filesystem::absolute(config.string("meta_train.model")))
    throw InputError("gps.es_model and meta_train.model are the same file \"" + path +
                     "\"; give psi and pi different files");
  return path;
}

void write_checkpoint(const std::string& path, const EsCheckpoint& checkpoint, const Config& config,
                      const std::string& command_line, int ranks) {
  AtomicHdf5File file(path);
  write_provenance(file.root(), config, command_line, "meta-train", ranks);
  write_es_checkpoint(file.root().create_group("checkpoint"), checkpoint);
  file.commit();
}

// A started imitation phase continues only with its schedule (the rounds may grow).
void check_imitation_schedule(const Hdf5Group& file, const Config& config) {
  const Config stored = Config::from_toml(file.open_group("meta").read_string("config"),
                                          file.file() + ":/meta/config");
  const std::string key = first_differing_key(stored, config, [](const std::string& k) {
    return k.starts_with("gps.imitation_") && k != "gps.imitation_rounds";
  });
  if (!key.empty())
    throw InputError("--resume: checkpoint \"" + file.file() +
                     "\" has started its imitation phase with another " + key +
                     "; resume with its configuration (" + file.file() + ":/meta/config)");
}

}  // namespace

int run_es_meta_train(const Config& config, const RunOptions& options, const MpiSession& mpi,
                      bool resume) {
  install_stop_request_handlers();
  const EsSearchParams params = search_params(config);
  const ImitationParams imitation = imitation_params_from_config(config);
  const std::string psi_path = es_model_path(config, imitation);
  const int generations = static_cast<int>(config.integer("gps.iterations"));
  const int horizon = static_cast<int>(config.integer("gps.horizon"));
  const int stride = static_cast<int>(config.integer("gps.initial_score_stride"));
  if (stride > horizon)
    throw InputError("gps.initial_score_stride = " + std::to_string(stride) +
                     " exceeds gps.horizon = " + std::to_string(horizon) +
                     "; make it at most the horizon");
  const MetaTrainFiles files = prepare_meta_train_files(config, resume);
  const auto seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const std::vector<MetaTrainInstance> instances = meta_train_instances(config, seed);
  const TaskSpec& spec = instances.front().spec;
  const MlpTask& task = instances.front().task;
  const EsController start = start_controller(config, task.mlp().groups());
  EsCheckpoint checkpoint = [&] {
    if (resume) {
      const Hdf5Group file = open_checkpoint_to_resume(files.checkpoint, config);
      EsCheckpoint stored =
          read_es_checkpoint(file.open_group("checkpoint"), start, imitation_policy_params(config));
      if (stored.imitation) check_imitation_schedule(file, config);
      return stored;
    }
    EsCheckpoint fresh;
    fresh.seed = seed;
    fresh.start = start;
    fresh.theta = Eigen::VectorXd::Zero(es_search_dimension(start));
    return fresh;
  }();

  if (checkpoint.imitation && checkpoint.generation != generations)
    throw InputError("--resume: the checkpoint's imitation phase imitates psi of generation " +
                     std::to_string(checkpoint.generation) +
                     "; keep gps.iterations = " + std::to_string(checkpoint.generation));
  const bool report = mpi.is_root() && !options.quiet;
  const std::string label = spec.label(task.mlp().num_classes());
  if (report)
    std::fprintf(
        stderr,
        "[meta-train] gps-es on %s%s: %d generations of %d antithetic pairs x %d steps, "
        "%lld search dimensions, cost set %lld examples, start %s lr %.6g, on %d "
        "rank(s)%s\n",
        label.c_str(),
        instances.size() > 1
            ? (" and " + std::to_string(instances.size() - 1) + " variant(s)").c_str()
            : "",
        generations, params.pairs, horizon, static_cast<long long>(checkpoint.theta.size()),
        static_cast<long long>(instances.front().cost_set.train().labels.size()),
        config.string("gps.es_start").c_str(), start.base_rate, mpi.size(),
        resume ? (", resuming at generation " + std::to_string(checkpoint.generation)).c_str()
               : "");

  const std::int64_t members = 2 * static_cast<std::int64_t>(params.pairs);
  const Eigen::Index dimension = checkpoint.theta.size();
  const int first = checkpoint.generation;
  ProgressReporter progress("meta-train", generations - first, 1, !report);
  while (checkpoint.generation < generations) {
    const auto begin = std::chrono::steady_clock::now();
    const int generation = checkpoint.generation;
    Eigen::MatrixXd perturbations(dimension, params.pairs);
    for (int j = 0; j < params.pairs; ++j)
      perturbations.col(j) = es_perturbation(seed, generation, j, dimension);
    // Member 2j is theta + sigma eps_j, member 2j + 1 its antithetic twin; both use pair j's seed
    // and instance j mod n.
    const std::vector<double> costs = run_unit_values(members, mpi, [&](std::int64_t m) {
      const auto pair = static_cast<int>(m / 2);
      const double sign = m % 2 == 0 ? 1.0 : -1.0;
      const Eigen::VectorXd member =
          checkpoint.theta + sign * params.sigma * perturbations.col(pair);
      EsOptimizer psi(es_member(start, member, params));
      const MetaTrainInstance& instance =
          instances[static_cast<std::size_t>(pair) % instances.size()];
      return es_meta_loss(instance.task, instance.cost_set, psi,
                          es_rollout_seed(seed, generation, pair), horizon, stride);
    });
    std::vector<double> plus;
    std::vector<double> minus;
    for (int j = 0; j < params.pairs; ++j) {
      plus.push_back(costs[static_cast<std::size_t>(2 * j)]);
      minus.push_back(costs[static_cast<std::size_t>(2 * j + 1)]);
    }
    const EsUpdate update = es_update(checkpoint.theta, perturbations, plus, minus, params);
    checkpoint.theta = update.theta;
    checkpoint.mean_cost.push_back(update.mean_cost);
    checkpoint.step_norm.push_back(update.step_norm);
    checkpoint.generation = generation + 1;
    if (mpi.is_root()) {
      write_model(psi_path, es_member(start, checkpoint.theta, params), checkpoint, spec,
                  task.mlp(), config, options.command_line, mpi.size());
      write_checkpoint(files.checkpoint, checkpoint, config, options.command_line, mpi.size());
    }
    char text[256];
    std::snprintf(text, sizeof text,
                  "generation %d: psi cost %.6g (mean of members), step %.4g%s, seconds %.1f",
                  generation, update.mean_cost, update.step_norm,
                  update.clipped ? " (trust region)" : "",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    progress.update(checkpoint.generation - first, text);
    const auto stop_signal = static_cast<int>(max_over_ranks(stop_request_signal()));
    if (stop_signal != 0 && checkpoint.generation < generations) {
      if (mpi.is_root())
        std::fprintf(stderr,
                     "l2o: stop requested (signal %d): checkpoint \"%s\" written after "
                     "generation %d; continue with --resume (exit %d)\n",
                     stop_signal, files.checkpoint.c_str(), generation, kExitStopped);
      return kExitStopped;
    }
  }
  if (imitation.rounds > 0) {
    // psi's file also when the generations ran without imitation and this resume adds it.
    if (!checkpoint.imitation && mpi.is_root())
      write_model(psi_path, es_member(start, checkpoint.theta, params), checkpoint, spec,
                  task.mlp(), config, options.command_line, mpi.size());
    const ImitationOutputs outputs{
        [&](const EsCheckpoint& state) {
          if (mpi.is_root())
            write_checkpoint(files.checkpoint, state, config, options.command_line, mpi.size());
        },
        [&](const std::vector<GpsPolicy>& policies, FeatureSet features,
            const RelativeOutput& relative) {
          if (mpi.is_root())
            write_policy_model(files.model, policies, features, relative, spec, task.mlp(), config,
                               options.command_line, mpi.size());
        }};
    const int status =
        run_imitation(config, options, mpi, instances, es_member(start, checkpoint.theta, params),
                      checkpoint, outputs);
    if (status != 0) return status;
  }
  if (mpi.is_root()) {
    std::printf("task        %s\nmethod      gps-es, %d generations", label.c_str(), generations);
    if (imitation.rounds > 0)
      std::printf(", %d imitation rounds (last imitation gap %+.4g)\npsi: %s", imitation.rounds,
                  checkpoint.imitation->gap.back(), psi_path.c_str());
    std::printf("\nmodel: %s\ncheckpoint: %s\n", files.model.c_str(), files.checkpoint.c_str());
  }
  return 0;
}

}  // namespace l2o
