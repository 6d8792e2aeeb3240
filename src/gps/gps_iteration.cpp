#include "gps/gps_iteration.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include "gps/badmm_dual_update.hpp"
#include "gps/badmm_policy_targets.hpp"
#include "gps/cost_model.hpp"
#include "gps/dynamics_fit.hpp"
#include "gps/initial_controller.hpp"
#include "gps/lqg_laplace_estimate.hpp"
#include "gps/observation_normalisation.hpp"
#include "gps/policy_kl.hpp"
#include "gps/policy_linearisation.hpp"
#include "gps/policy_loss.hpp"
#include "gps/rollout_recorder.hpp"
#include "gps/step_size.hpp"
#include "gps/sufficient_statistics.hpp"
#include "util/random_stream.hpp"

namespace l2o {

GpsState initialise_gps(const MlpTask& task, const MlpTask& cost_set, const GpsParams& params,
                        std::uint64_t seed) {
  const InitialController initial = choose_initial_controller(task, cost_set, params, seed);
  GpsState state;
  state.seed = seed;
  state.initial_alpha = initial.alpha;
  state.initial_beta = initial.beta;
  for (std::size_t g = 0; g < initial.units.size(); ++g) {
    GpsGroupState group;
    group.sampling_policy = initial.policies[g];
    group.eta = params.initial_eta;
    group.duals = BadmmDuals(params.horizon, params.initial_nu);
    group.units = initial.units[g];
    state.groups.push_back(std::move(group));
  }
  return state;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The recorded data of one group over the iteration's rollouts (in rollout order).
struct GroupSamples {
  std::vector<const GroupRolloutRecord*> records;  ///< per rollout
  std::vector<Eigen::MatrixXd> sequences;          ///< per rollout: P x 3T observations
  TransitionStatistics statistics;                 ///< dynamics and cost statistics (scaled)

  explicit GroupSamples(int horizon) : statistics(horizon) {}
};

/// Teacher-forced scaled means mu~^pi of every rollout's recorded sequences (§6 item 2).
std::vector<Eigen::MatrixXd> teacher_forced(GpsPolicy& policy, const GroupSamples& samples) {
  std::vector<Eigen::MatrixXd> means;
  for (const Eigen::MatrixXd& sequences : samples.sequences) {
    means.push_back(policy.teacher_forced_means(sequences));
  }
  return means;
}

/// pi-bar from the teacher-forced means (§6), statistics formed per rollout in rollout order.
PolicyLinearisationFit linearise(const GroupSamples& samples,
                                 const std::vector<Eigen::MatrixXd>& means, const GpsParams& params,
                                 const FitContext& context) {
  PolicyStatistics statistics(params.horizon);
  for (std::size_t n = 0; n < means.size(); ++n) {
    statistics.add_rollout(samples.records[n]->states, means[n]);
  }
  return fit_policy_linearisation(statistics, params.linearisation, context);
}

/// Per-step sample means of mu^psi - mu~^pi over every recorded point (§9).
PolicyMismatch policy_mismatch(const LinearGaussianPolicy& psi, const GroupSamples& samples,
                               const std::vector<Eigen::MatrixXd>& means, int horizon) {
  PolicyMismatchStatistics statistics(horizon);
  for (std::size_t n = 0; n < means.size(); ++n) {
    statistics.add_rollout(linear_policy_means(samples.records[n]->states, psi.gain, psi.bias),
                           means[n]);
  }
  return statistics.mismatch();
}

/// The BADMM theta-step data (§8.3): targets and loss weights of psi_use with the current duals.
PolicyTrainingSet training_set(const LinearGaussianPolicy& psi_use, const BadmmDuals& duals,
                               const GroupSamples& samples) {
  PolicyTrainingSet data;
  const Eigen::VectorXd offsets = badmm_target_offsets(psi_use, duals);
  for (std::size_t n = 0; n < samples.records.size(); ++n) {
    data.add_rollout(samples.sequences[n],
                     linear_policy_means(samples.records[n]->states, psi_use.gain, offsets));
  }
  data.step_weights = policy_loss_step_weights(badmm_loss_weights(duals.nu), psi_use.variance);
  return data;
}

}  // namespace

GpsIterationSummary run_gps_iteration(const MlpTask& task, const MlpTask& cost_set,
                                      const GpsParams& params, GpsState& state) {
  params.check();
  const int iteration = state.iteration;
  const int horizon = params.horizon;
  const int group_count = static_cast<int>(task.mlp().groups().size());
  if (static_cast<int>(state.groups.size()) != group_count) {
    throw std::invalid_argument("run_gps_iteration: the state has " +
                                std::to_string(state.groups.size()) + " groups, the task " +
                                std::to_string(group_count));
  }
  if ((iteration == 0) != state.policies.empty()) {
    throw std::invalid_argument(
        "run_gps_iteration: policies must be absent exactly before iteration 0");
  }
  GpsIterationSummary summary;
  summary.iteration = iteration;
  summary.groups.resize(static_cast<std::size_t>(group_count));
  summary.dgd.resize(static_cast<std::size_t>(group_count));
  summary.policy_updates.resize(static_cast<std::size_t>(group_count));

  // Step 1: N rollouts of psi-hat on all coordinates, recorded in scaled units (step 2's scaling
  // is applied by the recorder with the frozen units).
  auto clock = Clock::now();
  std::vector<LinearGaussianPolicy> controllers;
  std::vector<ScaledUnits> units;
  for (const GpsGroupState& group : state.groups) {
    controllers.push_back(group.sampling_policy);
    units.push_back(group.units);
  }
  RolloutRecorder recorder(
      task, cost_set,
      {.horizon = horizon, .max_recorded = params.max_recorded, .features = params.features});
  std::vector<RolloutRecord> records;
  for (int n = 0; n < params.rollouts; ++n) {
    records.push_back(recorder.record(controllers, units, state.seed, {iteration, n}));
    summary.sample_costs.push_back(meta_loss(records.back().true_objective) / horizon);
    summary.mean_sample_cost += summary.sample_costs.back() / params.rollouts;
  }
  summary.seconds.sampling = seconds_since(clock);

  // Step 2: per-rollout statistics added in rollout order; at i = 0 the normalisation of pi's
  // inputs (§8.2), which creates the policies (§8.1).
  clock = Clock::now();
  std::vector<GroupSamples> samples;
  for (int g = 0; g < group_count; ++g) {
    GroupSamples group(horizon);
    for (const RolloutRecord& record : records) {
      const GroupRolloutRecord& data = record.groups[static_cast<std::size_t>(g)];
      group.records.push_back(&data);
      group.sequences.push_back(observation_sequences(data.observations));
      group.statistics.add_rollout(data);
    }
    samples.push_back(std::move(group));
  }
  if (iteration == 0) {
    for (int g = 0; g < group_count; ++g) {
      ObservationStatistics observations;
      for (const Eigen::MatrixXd& sequences : samples[g].sequences) {
        observations.add_rollout(sequences);
      }
      const PolicyConstants constants{observations.normalisation(),
                                      state.groups[g].units.action_scale};
      state.policies.emplace_back(params.policy, constants, state.seed,
                                  static_cast<std::uint64_t>(g));
    }
  }
  summary.seconds.fits += seconds_since(clock);

  const ActiveMask mask = active_mask(horizon);
  DualGradientDescent dgd(kStateDim, horizon, params.dgd);
  LqgForwardPass forward(kStateDim, horizon);
  double initial_kl_sum = 0.0;
  double final_kl_sum = 0.0;
  // Steps 3-9 group by group: no group reads another's data in these steps (§14: groups are the
  // unit of model parallelism), so this is the §12 order for every group.
  for (int g = 0; g < group_count; ++g) {
    GpsGroupState& group = state.groups[g];
    GpsPolicy& policy = state.policies[g];
    GroupDiagnostics& diagnostics = summary.groups[g];
    diagnostics.iteration = iteration;
    diagnostics.group = g;
    const FitContext fit_context{g, iteration};
    const LqgContext lqg_context{g, iteration};
    clock = Clock::now();

    // Step 3: dynamics and initial state (§5).
    const DynamicsFit dynamics = fit_dynamics(samples[g].statistics, params.dynamics, fit_context);
    diagnostics.record(dynamics);
    // Step 4: linearisation with the current omega (§6).
    std::vector<Eigen::MatrixXd> means = teacher_forced(policy, samples[g]);
    PolicyLinearisationFit linearisation = linearise(samples[g], means, params, fit_context);
    // Step 5: cost (§4); gamma_g fixed at iteration 0 from a fit with gamma = 1.
    if (iteration == 0) {
      group.cost_normaliser = cost_normaliser(fit_cost_model(
          samples[g].statistics, group.units.action_scale, 1.0, params.cost, fit_context));
    }
    const CostModelFit cost = fit_cost_model(samples[g].statistics, group.units.action_scale,
                                             group.cost_normaliser, params.cost, fit_context);
    diagnostics.record(cost);
    // Step 6: step-size adaptation from iteration 1 on (§10).
    if (iteration >= 1) {
      const LqgModel previous{group.previous_dynamics, group.previous_cost,
                              group.previous_linearisation};
      const LqgModel current{dynamics.dynamics, cost.cost, linearisation.linearisation};
      const StepImprovement improvement =
          step_improvement(group.previous_sampling_policy, group.sampling_policy, previous, current,
                           group.duals.nu, forward, lqg_context);
      group.step_multiplier =
          adapt_step_multiplier(group.step_multiplier, improvement, params.step_size);
      diagnostics.record(improvement, group.step_multiplier);
    }
    // Step 7: the "initial KL" of psi-hat vs pi (§9).
    const Eigen::VectorXd initial_kl =
        badmm_policy_kl(policy_mismatch(group.sampling_policy, samples[g], means, horizon),
                        group.sampling_policy.variance, params.duals);
    summary.seconds.fits += seconds_since(clock);

    // Step 8: R inner iterations.
    LinearGaussianPolicy psi_new;
    for (int r = 0; r < params.inner_iterations; ++r) {
      const bool theta_step = iteration > 0 || r > 0;
      const LinearGaussianPolicy& psi_use = r > 0 ? psi_new : group.sampling_policy;
      // 8a: train pi on the BADMM targets of psi_use (§8); streams keyed by (seed, r) and (i, g).
      if (theta_step) {
        clock = Clock::now();
        const PolicyTrainingSet data = training_set(psi_use, group.duals, samples[g]);
        const PolicyUpdateKey key{
            .seed = RandomStream(state.seed, "gps-policy-update", {static_cast<std::uint64_t>(r)})
                        .next_u64(),
            .iteration = static_cast<std::uint64_t>(iteration),
            .group = static_cast<std::uint64_t>(g)};
        summary.policy_updates[g].push_back(
            train_policy(policy, data, params.policy_training, key));
        summary.seconds.policy_training += seconds_since(clock);
      }
      // 8b: teacher-forced means with the current omega, refit pi-bar (§6). Without a theta-step
      // omega is unchanged, and step 4's means and fit are the result.
      clock = Clock::now();
      if (theta_step) {
        means = teacher_forced(policy, samples[g]);
        linearisation = linearise(samples[g], means, params, fit_context);
        // 8c: duals with psi* = psi_use: lambda every time, nu on the last inner iteration (§9).
        const PolicyMismatch mismatch = policy_mismatch(psi_use, samples[g], means, horizon);
        update_multipliers(mismatch, psi_use.variance, params.duals, group.duals);
        if (r == params.inner_iterations - 1) {
          update_penalty_weights(badmm_policy_kl(mismatch, psi_use.variance, params.duals),
                                 params.duals, group.duals);
        }
      }
      summary.seconds.fits += seconds_since(clock);
      // 8d: psi-step with anchor psi-hat (always the sampling policy) (§7).
      clock = Clock::now();
      const LqgProblem problem{.dynamics = &dynamics.dynamics,
                               .cost = &cost.cost,
                               .anchor = &group.sampling_policy,
                               .linearisation = &linearisation.linearisation,
                               .duals = &group.duals,
                               .active = &mask};
      const DgdResult result =
          dgd.solve(problem, group.eta, group.step_multiplier, psi_new, lqg_context);
      group.eta = result.eta;
      summary.dgd[g].push_back(result);
      summary.seconds.lqg += seconds_since(clock);
    }
    diagnostics.record(summary.dgd[g].back());
    diagnostics.record(linearisation);
    clock = Clock::now();
    const Eigen::VectorXd final_kl = badmm_policy_kl(
        policy_mismatch(psi_new, samples[g], means, horizon), psi_new.variance, params.duals);
    diagnostics.record_policy_kl(initial_kl, final_kl);
    initial_kl_sum += diagnostics.policy_kl_before;
    final_kl_sum += diagnostics.policy_kl_after;

    // Step 9: advance; eta, m, lambda, nu and omega carry over.
    group.previous_dynamics = dynamics.dynamics;
    group.previous_cost = cost.cost;
    group.previous_linearisation = std::move(linearisation.linearisation);
    group.previous_sampling_policy = std::move(group.sampling_policy);
    group.sampling_policy = std::move(psi_new);
    summary.seconds.fits += seconds_since(clock);
  }
  summary.mean_initial_kl = initial_kl_sum / group_count;
  summary.mean_final_kl = final_kl_sum / group_count;

  // Step 10: deterministic test-time rollouts of pi with the fixed evaluation seeds (§15).
  clock = Clock::now();
  summary.evaluation =
      evaluate_policies<float>(task, cost_set, state.policies, horizon, params.evaluation_rollouts,
                               state.seed, params.features);
  summary.seconds.evaluation = seconds_since(clock);
  ++state.iteration;
  return summary;
}

}  // namespace l2o
