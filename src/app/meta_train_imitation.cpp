#include "app/meta_train_imitation.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "app/progress_reporter.hpp"
#include "app/stop_request.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_archive.hpp"
#include "gps/es/es_meta_loss.hpp"
#include "gps/features/observation_normalisation.hpp"
#include "gps/policy/policy_training.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

double mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// The learned optimizer of the current policies (copies, so it never shares their workspaces).
GpsModel model_of(const std::vector<GpsPolicy>& policies, const Mlp& mlp, FeatureSet features,
                  const RelativeOutput& relative) {
  GpsModel model;
  model.features = features;
  model.relative = relative;
  for (std::size_t g = 0; g < policies.size(); ++g)
    model.groups.push_back({mlp.groups()[g].role, policies[g]});
  return model;
}

}  // namespace

ImitationParams imitation_params_from_config(const Config& config) {
  ImitationParams p;
  p.rounds = static_cast<int>(config.integer("gps.imitation_rounds"));
  p.rollouts = static_cast<int>(config.integer("gps.imitation_rollouts"));
  p.recorded = static_cast<Eigen::Index>(config.integer("gps.recorded_coordinates"));
  p.policy_fraction = config.real("gps.imitation_policy_fraction");
  p.evaluation_rollouts = static_cast<int>(config.integer("gps.imitation_evaluation_rollouts"));
  p.max_log_factor = config.real("gps.relative_max_log_factor");
  try {
    p.check();
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("gps.") + e.what() + "; fix the [gps] section");
  }
  return p;
}

LstmPolicyParams imitation_policy_params(const Config& config) {
  LstmPolicyParams params;
  params.hidden_size = static_cast<Eigen::Index>(config.integer("gps.policy_hidden_size"));
  params.input_size =
      policy_input_dimension(parse_feature_set(config.string("gps.features")), true);
  return params;
}

int run_imitation(const Config& config, const RunOptions& options, const MpiSession& mpi,
                  const std::vector<MetaTrainInstance>& instances, const EsController& psi,
                  EsCheckpoint& checkpoint, const ImitationOutputs& outputs) {
  const ImitationParams params = imitation_params_from_config(config);
  const int horizon = static_cast<int>(config.integer("gps.horizon"));
  const int stride = static_cast<int>(config.integer("gps.initial_score_stride"));
  const FeatureSet features = parse_feature_set(config.string("gps.features"));
  const RelativeOutput relative = relative_output_of(psi, horizon, params.max_log_factor);
  const LstmPolicyParams policy_params = imitation_policy_params(config);
  PolicyTrainingParams training;
  training.max_steps = static_cast<int>(config.integer("gps.policy_max_steps"));
  const std::uint64_t seed = checkpoint.seed;
  const Mlp& mlp = instances.front().task.mlp();  // the roles: the same in every instance
  const auto instance = [&](std::int64_t k) -> const MetaTrainInstance& {
    return instances[static_cast<std::size_t>(k) % instances.size()];
  };
  const std::size_t groups = mlp.groups().size();
  const bool report = mpi.is_root() && !options.quiet;

  if (!checkpoint.imitation) {  // psi's evaluation costs once: the reference of every gap
    checkpoint.imitation.emplace();
    checkpoint.imitation->psi_cost =
        run_unit_values(params.evaluation_rollouts, mpi, [&](std::int64_t e) {
          EsOptimizer driver(psi);
          return es_meta_loss(instance(e).task, instance(e).cost_set, driver,
                              imitation_evaluation_seed(seed, static_cast<int>(e)), horizon,
                              stride);
        });
  }
  ImitationCheckpoint& state = *checkpoint.imitation;
  const double psi_cost = mean(state.psi_cost);
  if (report)
    std::fprintf(stderr,
                 "[meta-train] imitation: %d rounds of %d rollouts (%d%% driven by pi from round "
                 "1), %lld coordinates per group, LSTM %lld cells reading %s + time; psi's cost "
                 "%.6g on %d evaluation rollouts\n",
                 params.rounds, params.rollouts,
                 static_cast<int>(std::lround(100.0 * params.policy_fraction)),
                 static_cast<long long>(params.recorded),
                 static_cast<long long>(policy_params.hidden_size),
                 feature_set_name(features).c_str(), psi_cost, params.evaluation_rollouts);

  const int first = state.round;
  ProgressReporter progress("imitation", params.rounds - first, 1, !report);
  while (state.round < params.rounds) {
    const auto begin = std::chrono::steady_clock::now();
    const int round = state.round;
    // 1. Recorded rollouts, the first `driven` by pi (DAgger-style), gathered in rollout order.
    const int driven = params.policy_driven_rollouts(round);
    std::vector<std::vector<std::uint64_t>> owned;
    for (std::int64_t k : owned_units(params.rollouts, mpi.rank(), mpi.size())) {
      std::vector<Eigen::MatrixXd> sequences;
      if (k < driven) {
        PsdOptimizer pi(model_of(state.policies, mlp, features, relative));
        sequences = record_imitation_rollout(instance(k).task, pi, features, relative, seed, round,
                                             static_cast<int>(k), horizon, params.recorded);
      } else {
        EsOptimizer teacher(psi);
        sequences = record_imitation_rollout(instance(k).task, teacher, features, relative, seed,
                                             round, static_cast<int>(k), horizon, params.recorded);
      }
      WordWriter out;
      out(sequences);
      owned.push_back(out.take());
    }
    std::vector<std::vector<Eigen::MatrixXd>> rollouts;  // [rollout][group]
    for (const std::vector<std::uint64_t>& words : allgather_units(owned, params.rollouts)) {
      WordReader in(words);
      in(rollouts.emplace_back());
    }
    // 2. Round 0 fixes the normalisation and creates pi (§8.1-§8.2); then one update per group.
    if (round == 0) {
      for (std::size_t g = 0; g < groups; ++g) {
        ObservationStatistics statistics(static_cast<int>(policy_params.input_size));
        for (const auto& rollout : rollouts) statistics.add_rollout(rollout[g]);
        state.policies.emplace_back(policy_params, PolicyConstants{statistics.normalisation(), 1.0},
                                    seed, g);
      }
    }
    double policy_loss = 0.0;
    for (std::size_t g = 0; g < groups; ++g) {
      PolicyTrainingSet data;
      for (const auto& rollout : rollouts)
        data.add_rollout(rollout[g], imitation_targets(psi, g, rollout[g].rows(), horizon));
      data.step_weights = Eigen::VectorXd::Ones(horizon);
      policy_loss += train_policy(state.policies[g], data, training,
                                  {seed, static_cast<std::uint64_t>(round), g})
                         .mean_loss /
                     static_cast<double>(groups);
    }
    // 3. pi against psi on the evaluation rollouts: the imitation gap.
    const GpsModel trained = model_of(state.policies, mlp, features, relative);
    const double pi_cost =
        mean(run_unit_values(params.evaluation_rollouts, mpi, [&](std::int64_t e) {
          PsdOptimizer pi(trained);
          return es_meta_loss(instance(e).task, instance(e).cost_set, pi,
                              imitation_evaluation_seed(seed, static_cast<int>(e)), horizon,
                              stride);
        }));
    state.policy_loss.push_back(policy_loss);
    state.pi_cost.push_back(pi_cost);
    state.gap.push_back(pi_cost - psi_cost);
    state.round = round + 1;
    // The model is the latest pi: its target does not move, so the latest is the best trained;
    // the rounds' scores differ by less than their noise (docs/gps-design.md).
    outputs.model(state.policies, features, relative);
    outputs.checkpoint(checkpoint);
    char text[256];
    std::snprintf(text, sizeof text,
                  "round %d: %d of %d rollouts by pi, policy loss %.4g, pi cost %.6g, psi cost "
                  "%.6g, gap %+.4g (%+.2f%%), seconds %.1f",
                  round, driven, params.rollouts, policy_loss, pi_cost, psi_cost,
                  pi_cost - psi_cost, 100.0 * (pi_cost - psi_cost) / psi_cost,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    progress.update(state.round - first, text);
    const auto stop_signal = static_cast<int>(max_over_ranks(stop_request_signal()));
    if (stop_signal != 0 && state.round < params.rounds) {
      if (mpi.is_root())
        std::fprintf(stderr,
                     "l2o: stop requested (signal %d): checkpoint written after imitation round "
                     "%d; continue with --resume (exit %d)\n",
                     stop_signal, round, kExitStopped);
      return kExitStopped;
    }
  }
  return 0;
}

}  // namespace l2o
