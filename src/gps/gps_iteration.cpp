#include "gps/gps_iteration.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "dist/communication_time.hpp"
#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

#include "gps/badmm_dual_update.hpp"
#include "gps/badmm_policy_targets.hpp"
#include "gps/cost_model.hpp"
#include "gps/dynamics_fit.hpp"
#include "gps/global_step_control.hpp"
#include "gps/group_state_exchange.hpp"
#include "gps/initial_controller.hpp"
#include "gps/lqg_laplace_estimate.hpp"
#include "gps/observation_normalisation.hpp"
#include "gps/own_step_response.hpp"
#include "gps/policy_kl.hpp"
#include "gps/policy_linearisation.hpp"
#include "gps/policy_loss.hpp"
#include "gps/rollout_recorder.hpp"
#include "gps/statistics_reduction.hpp"
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

/// Wall-clock seconds of the phases, with the time spent inside collectives
/// (communication_seconds) counted separately in GpsPhaseSeconds::communication.
class PhaseTimer {
 public:
  explicit PhaseTimer(GpsPhaseSeconds& seconds) : seconds_(seconds) { restart(); }
  /// Starts a new interval.
  void restart() {
    start_ = Clock::now();
    communication_start_ = communication_seconds();
  }
  /// Adds the interval's compute time to `phase` and its communication time to
  /// seconds.communication; starts a new interval.
  void stop(double& phase) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double communication = communication_seconds() - communication_start_;
    phase += elapsed - communication;
    seconds_.communication += communication;
    restart();
  }

 private:
  GpsPhaseSeconds& seconds_;
  Clock::time_point start_;
  double communication_start_ = 0.0;
};

/// The recorded data of one group over this rank's rollouts (in rollout order; §14: rollout n
/// runs on rank n mod Z and its recorded data stays there).
struct GroupSamples {
  std::vector<const GroupRolloutRecord*> records;  ///< per local rollout
  std::vector<Eigen::MatrixXd> sequences;          ///< per local rollout: P x 3T observations
};

/// Every rollout's matrix in rollout order on every rank, from this rank's rollouts' matrices.
std::vector<Eigen::MatrixXd> allgather_rollout_matrices(const std::vector<Eigen::MatrixXd>& local,
                                                        int rollouts) {
  std::vector<std::vector<std::uint64_t>> buffers;
  for (const Eigen::MatrixXd& matrix : local) {
    WordWriter writer;
    writer(matrix);
    buffers.push_back(writer.take());
  }
  std::vector<Eigen::MatrixXd> all(static_cast<std::size_t>(rollouts));
  const std::vector<std::vector<std::uint64_t>> gathered = allgather_units(buffers, rollouts);
  for (std::size_t n = 0; n < all.size(); ++n) {
    WordReader reader(gathered[n]);
    reader(all[n]);
  }
  return all;
}

/// Teacher-forced scaled means mu~^pi of every local rollout's recorded sequences (§6 item 2).
std::vector<Eigen::MatrixXd> teacher_forced(GpsPolicy& policy, const GroupSamples& samples) {
  std::vector<Eigen::MatrixXd> means;
  for (const Eigen::MatrixXd& sequences : samples.sequences) {
    means.push_back(policy.teacher_forced_means(sequences));
  }
  return means;
}

/// This rank's partial statistics for pi-bar (§6), formed per rollout in rollout order.
PolicyStatistics linearisation_statistics(const GroupSamples& samples,
                                          const std::vector<Eigen::MatrixXd>& means, int horizon,
                                          int state_dim) {
  PolicyStatistics statistics(horizon, state_dim);
  for (std::size_t n = 0; n < means.size(); ++n) {
    statistics.add_rollout(samples.records[n]->states, means[n]);
  }
  return statistics;
}

/// This rank's partial sums of mu^psi - mu~^pi over its recorded points (§9).
PolicyMismatchStatistics mismatch_statistics(const LinearGaussianPolicy& psi,
                                             const GroupSamples& samples,
                                             const std::vector<Eigen::MatrixXd>& means,
                                             int horizon) {
  PolicyMismatchStatistics statistics(horizon);
  for (std::size_t n = 0; n < means.size(); ++n) {
    statistics.add_rollout(linear_policy_means(samples.records[n]->states, psi.gain, psi.bias),
                           means[n]);
  }
  return statistics;
}

/// The BADMM theta-step data (§8.3): targets and loss weights of psi_use with the current duals,
/// every rollout's sequences in rollout order on every rank (the targets of this rank's rollouts
/// are formed here and gathered; `all_sequences` are every rollout's observation sequences).
PolicyTrainingSet training_set(const LinearGaussianPolicy& psi_use, const BadmmDuals& duals,
                               const GroupSamples& samples,
                               const std::vector<Eigen::MatrixXd>& all_sequences) {
  const Eigen::VectorXd offsets = badmm_target_offsets(psi_use, duals);
  std::vector<Eigen::MatrixXd> local_targets;
  for (const GroupRolloutRecord* record : samples.records) {
    local_targets.push_back(linear_policy_means(record->states, psi_use.gain, offsets));
  }
  const std::vector<Eigen::MatrixXd> targets =
      allgather_rollout_matrices(local_targets, static_cast<int>(all_sequences.size()));
  PolicyTrainingSet data;
  for (std::size_t n = 0; n < all_sequences.size(); ++n) {
    data.add_rollout(all_sequences[n], targets[n]);
  }
  data.step_weights = policy_loss_step_weights(badmm_loss_weights(duals.nu), psi_use.variance);
  return data;
}

/// What group g's owner fits in steps 3-7 and refits in 8b (absent on the other ranks).
struct OwnerFits {
  DynamicsFit dynamics;
  CostModelFit cost;
  PolicyLinearisationFit linearisation;
  Eigen::VectorXd initial_kl;  ///< step 7, per step
};

}  // namespace

namespace {

// Issue 16 item 2 (global_step_control.hpp): every rank gathers the groups' predicted
// improvements from their owners, converts them to true-objective units like
// summary.predicted_improvement, and applies one multiplier to all groups; a rejected step sends
// every group's psi-hat back to psi_prev before the psi-step, and psi_prev's sample cost stays
// the baseline of the next iteration's realised improvement.
void control_global_step(const MlpTask& task, const GpsParams& params,
                         const std::vector<bool>& owned, GpsState& state,
                         GpsIterationSummary& summary) {
  const auto groups = static_cast<std::int64_t>(state.groups.size());
  std::vector<double> owned_predictions;
  for (const std::int64_t g : owned_units(groups, world_rank(), world_size())) {
    owned_predictions.push_back(summary.groups[g].predicted_improvement);
  }
  const std::vector<double> predictions = allgather_unit_values(owned_predictions, groups);
  double predicted = 0.0;
  for (std::int64_t g = 0; g < groups; ++g) {
    predicted += static_cast<double>(task.mlp().groups()[g].size) * predictions[g] /
                 state.groups[g].cost_normaliser;
  }
  const GlobalStepDecision decision =
      global_step_decision(state.groups.front().step_multiplier, predicted,
                           summary.realised_improvement, params.step_size);
  for (std::int64_t g = 0; g < groups; ++g) {
    GpsGroupState& group = state.groups[g];
    group.step_multiplier = decision.multiplier;
    summary.groups[g].step_multiplier = decision.multiplier;
    summary.groups[g].step_accepted = decision.accepted;
    if (!decision.accepted && owned[g]) group.sampling_policy = group.previous_sampling_policy;
  }
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
  const int rank = world_rank(), ranks = world_size();
  const auto groups = static_cast<std::size_t>(group_count);
  GpsIterationSummary summary;
  summary.iteration = iteration;
  summary.groups.resize(groups);
  summary.dgd.resize(groups);
  summary.policy_updates.resize(groups);
  PhaseTimer timer(summary.seconds);

  // Step 1: N rollouts of psi-hat on all coordinates, rollout n on rank n mod Z, recorded in
  // scaled units (step 2's scaling is applied by the recorder with the frozen units). The costs
  // reach every rank in rollout order.
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
  std::vector<double> local_costs;
  for (const std::int64_t n : owned_units(params.rollouts, rank, ranks)) {
    records.push_back(
        recorder.record(controllers, units, state.seed, {iteration, static_cast<int>(n)}));
    local_costs.push_back(meta_loss(records.back().true_objective) / horizon);
  }
  summary.sample_costs = allgather_unit_values(local_costs, params.rollouts);
  for (const double cost : summary.sample_costs) {
    summary.mean_sample_cost += cost / params.rollouts;
  }
  summary.realised_improvement = state.previous_sample_cost - summary.mean_sample_cost;
  timer.stop(summary.seconds.sampling);

  // Step 2: per-rollout statistics added in rollout order, the totals on the group's owner (exact
  // sums: the same for any rank count); at i = 0 the normalisation of pi's inputs (§8.2), on
  // every rank, which creates the policies (§8.1) identically everywhere.
  std::vector<GroupSamples> samples(groups);
  const int state_dim = state_dimension(params.features);
  std::vector<TransitionStatistics> transitions(groups, TransitionStatistics(horizon, state_dim));
  for (std::size_t g = 0; g < groups; ++g) {
    for (const RolloutRecord& record : records) {
      const GroupRolloutRecord& data = record.groups[g];
      samples[g].records.push_back(&data);
      samples[g].sequences.push_back(observation_sequences(data.observations));
      transitions[g].add_rollout(data);
    }
  }
  const std::vector<bool> owned = reduce_to_group_owners(transitions);
  if (iteration == 0) {
    for (std::size_t g = 0; g < groups; ++g) {
      ObservationStatistics observations(observation_dimension(params.features));
      for (const Eigen::MatrixXd& sequences : samples[g].sequences) {
        observations.add_rollout(sequences);
      }
      reduce_to_all(observations.sums());
      const PolicyConstants constants{observations.normalisation(),
                                      state.groups[g].units.action_scale};
      state.policies.emplace_back(policy_params(params), constants, state.seed,
                                  static_cast<std::uint64_t>(g));
    }
  }

  // Steps 4 and 7 need pi's teacher-forced means of every local rollout; their statistics go to
  // the owners. Groups never read each other's data in steps 3-9 (§14: groups are the unit of
  // model parallelism), so every group's steps run in the §12 order while the owners fit their
  // groups concurrently.
  std::vector<std::vector<Eigen::MatrixXd>> means(groups);
  std::vector<PolicyStatistics> linearisation_sums;
  std::vector<PolicyMismatchStatistics> mismatch_sums;
  for (std::size_t g = 0; g < groups; ++g) {
    means[g] = teacher_forced(state.policies[g], samples[g]);
    linearisation_sums.push_back(
        linearisation_statistics(samples[g], means[g], horizon, state_dim));
    mismatch_sums.push_back(
        mismatch_statistics(state.groups[g].sampling_policy, samples[g], means[g], horizon));
  }
  reduce_to_group_owners(linearisation_sums);
  reduce_to_group_owners(mismatch_sums);

  const ActiveMask mask = active_mask(horizon, state_dim);
  DualGradientDescent dgd(state_dim, horizon, params.dgd);
  LqgForwardPass forward(state_dim, horizon);
  std::vector<std::optional<OwnerFits>> fits(groups);
  for (int g = 0; g < group_count; ++g) {
    GroupDiagnostics& diagnostics = summary.groups[g];
    diagnostics.iteration = iteration;
    diagnostics.group = g;
    if (!owned[g]) continue;
    GpsGroupState& group = state.groups[g];
    const FitContext fit_context{g, iteration};
    const LqgContext lqg_context{g, iteration};
    // Step 3: dynamics and initial state (§5).
    DynamicsFit dynamics = fit_dynamics(transitions[g], params.dynamics, fit_context);
    diagnostics.record(dynamics);
    // Step 4: linearisation with the current omega (§6).
    PolicyLinearisationFit linearisation =
        fit_policy_linearisation(linearisation_sums[g], params.linearisation, fit_context);
    // Step 5: cost (§4); gamma_g fixed at iteration 0 from a fit with gamma = 1.
    if (iteration == 0) {
      group.cost_normaliser = cost_normaliser(
          fit_cost_model(transitions[g], group.units.action_scale, 1.0, params.cost, fit_context));
    }
    CostModelFit cost = fit_cost_model(transitions[g], group.units.action_scale,
                                       group.cost_normaliser, params.cost, fit_context);
    diagnostics.record(cost);
    // Issue 16 item 1: the dynamics' response of the next gradient to the own step, and its
    // correction to the cost model's curvature (own_step_response.hpp, docs/gps-design.md).
    diagnostics.record_own_step_response(
        own_step_response(dynamics.dynamics, cost, group.units.action_scale));
    if (params.own_step_response == OwnStepResponse::matched) {
      match_own_step_response(dynamics.dynamics, cost, group.units.action_scale);
    }
    // Step 6: step-size adaptation from iteration 1 on (§10).
    if (iteration >= 1) {
      const LqgModel previous{group.previous_dynamics, group.previous_cost,
                              group.previous_linearisation};
      const LqgModel current{dynamics.dynamics, cost.cost, linearisation.linearisation};
      const StepImprovement improvement =
          step_improvement(group.previous_sampling_policy, group.sampling_policy, previous, current,
                           group.duals.nu, forward, lqg_context);
      if (params.step_control == StepControl::per_group) {
        group.step_multiplier =
            adapt_step_multiplier(group.step_multiplier, improvement, params.step_size);
      }  // else set for all groups below, once every group's prediction is known
      diagnostics.record(improvement, group.step_multiplier);
    }
    // Step 7: the "initial KL" of psi-hat vs pi (§9).
    Eigen::VectorXd initial_kl =
        badmm_policy_kl(mismatch_sums[g].mismatch(), group.sampling_policy.variance, params.duals);
    fits[g] = OwnerFits{std::move(dynamics), std::move(cost), std::move(linearisation),
                        std::move(initial_kl)};
  }
  if (params.step_control == StepControl::global && iteration >= 1) {
    control_global_step(task, params, owned, state, summary);
  }
  timer.stop(summary.seconds.fits);

  // Step 8: R inner iterations, all groups in step.
  std::vector<LinearGaussianPolicy> psi_new(groups);
  std::vector<std::vector<Eigen::MatrixXd>> all_sequences(groups);  // every rollout's, for 8a
  for (int r = 0; r < params.inner_iterations; ++r) {
    const bool theta_step = iteration > 0 || r > 0;
    const auto psi_use = [&](std::size_t g) -> const LinearGaussianPolicy& {
      return r > 0 ? psi_new[g] : state.groups[g].sampling_policy;
    };
    if (theta_step) {
      // 8a: train pi on the BADMM targets of psi_use (§8), data parallel over the minibatch
      // blocks; streams keyed by (seed, r) and (i, g).
      for (std::size_t g = 0; g < groups; ++g) {
        if (all_sequences[g].empty()) {
          all_sequences[g] = allgather_rollout_matrices(samples[g].sequences, params.rollouts);
        }
        const PolicyTrainingSet data =
            training_set(psi_use(g), state.groups[g].duals, samples[g], all_sequences[g]);
        const PolicyUpdateKey key{
            .seed = RandomStream(state.seed, "gps-policy-update", {static_cast<std::uint64_t>(r)})
                        .next_u64(),
            .iteration = static_cast<std::uint64_t>(iteration),
            .group = static_cast<std::uint64_t>(g)};
        summary.policy_updates[g].push_back(
            train_policy(state.policies[g], data, params.policy_training, key));
      }
      timer.stop(summary.seconds.policy_training);
      // 8b: teacher-forced means with the current omega, refit pi-bar (§6). Without a theta-step
      // omega is unchanged, and step 4's means and fit are the result.
      linearisation_sums.clear();
      mismatch_sums.clear();
      for (std::size_t g = 0; g < groups; ++g) {
        means[g] = teacher_forced(state.policies[g], samples[g]);
        linearisation_sums.push_back(
            linearisation_statistics(samples[g], means[g], horizon, state_dim));
        mismatch_sums.push_back(mismatch_statistics(psi_use(g), samples[g], means[g], horizon));
      }
      reduce_to_group_owners(linearisation_sums);
      reduce_to_group_owners(mismatch_sums);
      for (int g = 0; g < group_count; ++g) {
        if (!owned[g]) continue;
        GpsGroupState& group = state.groups[g];
        fits[g]->linearisation = fit_policy_linearisation(
            linearisation_sums[g], params.linearisation, FitContext{g, iteration});
        // 8c: duals with psi* = psi_use: lambda every time, nu on the last inner iteration (§9).
        const PolicyMismatch mismatch = mismatch_sums[g].mismatch();
        update_multipliers(mismatch, psi_use(g).variance, params.duals, group.duals);
        if (r == params.inner_iterations - 1) {
          update_penalty_weights(badmm_policy_kl(mismatch, psi_use(g).variance, params.duals),
                                 params.duals, group.duals);
        }
      }
      timer.stop(summary.seconds.fits);
    }
    // 8d: psi-step with anchor psi-hat (always the sampling policy) (§7) on the owner; psi', the
    // duals and eta then reach every rank for the next theta-step and the KLs.
    for (int g = 0; g < group_count; ++g) {
      if (!owned[g]) continue;
      GpsGroupState& group = state.groups[g];
      const LqgProblem problem{.dynamics = &fits[g]->dynamics.dynamics,
                               .cost = &fits[g]->cost.cost,
                               .anchor = &group.sampling_policy,
                               .linearisation = &fits[g]->linearisation.linearisation,
                               .duals = &group.duals,
                               .active = &mask};
      const DgdResult result = dgd.solve(problem, group.eta, group.step_multiplier, psi_new[g],
                                         LqgContext{g, iteration});
      group.eta = result.eta;
      summary.dgd[g].push_back(result);
    }
    for (int g = 0; g < group_count; ++g) {
      GpsGroupState& group = state.groups[g];
      broadcast_psi_step(group_owner(g, ranks), psi_new[g], group.duals, group.eta);
    }
    timer.stop(summary.seconds.lqg);
  }

  // The final KL of psi' vs pi, then step 9 on the owner: eta, m, lambda, nu and omega carry
  // over. Every rank then receives each group's state, diagnostics and psi-step results.
  mismatch_sums.clear();
  for (std::size_t g = 0; g < groups; ++g) {
    mismatch_sums.push_back(mismatch_statistics(psi_new[g], samples[g], means[g], horizon));
  }
  reduce_to_group_owners(mismatch_sums);
  double initial_kl_sum = 0.0;
  double final_kl_sum = 0.0;
  for (int g = 0; g < group_count; ++g) {
    GpsGroupState& group = state.groups[g];
    GroupDiagnostics& diagnostics = summary.groups[g];
    if (owned[g]) {
      OwnerFits& fit = *fits[g];
      diagnostics.record(summary.dgd[g].back());
      diagnostics.record(fit.linearisation);
      const Eigen::VectorXd final_kl =
          badmm_policy_kl(mismatch_sums[g].mismatch(), psi_new[g].variance, params.duals);
      diagnostics.record_policy_kl(fit.initial_kl, final_kl);
      group.previous_dynamics = std::move(fit.dynamics.dynamics);
      group.previous_cost = std::move(fit.cost.cost);
      group.previous_linearisation = std::move(fit.linearisation.linearisation);
      group.previous_sampling_policy = std::move(group.sampling_policy);
      group.sampling_policy = std::move(psi_new[g]);
    }
    broadcast_group_results(group_owner(g, ranks), group, diagnostics, summary.dgd[g]);
    initial_kl_sum += diagnostics.policy_kl_before;
    final_kl_sum += diagnostics.policy_kl_after;
  }
  summary.mean_initial_kl = initial_kl_sum / group_count;
  summary.mean_final_kl = final_kl_sum / group_count;
  // Issue 16 item 5: the step-size rule's predicted improvement of psi-hat over psi_prev in
  // true-objective units (J_g / gamma_g is one coordinate's change of the mean objective over the
  // horizon, §4; times the group's n_g coordinates), against the realised change of psi-hat's
  // mean sample cost. Both NaN at iteration 0.
  summary.predicted_improvement = 0.0;
  for (int g = 0; g < group_count; ++g) {
    summary.predicted_improvement += static_cast<double>(task.mlp().groups()[g].size) *
                                     summary.groups[g].predicted_improvement /
                                     state.groups[g].cost_normaliser;
  }
  // The baseline of the next realised improvement: this psi-hat unless global step control
  // rejected it (then psi_prev, whose cost the baseline already holds).
  if (summary.groups.front().step_accepted) state.previous_sample_cost = summary.mean_sample_cost;
  timer.stop(summary.seconds.fits);

  // Step 10: deterministic test-time rollouts of pi with the fixed evaluation seeds (§15),
  // rollout e on rank e mod Z, the scores gathered in rollout order.
  std::vector<double> local_scores;
  for (const std::int64_t e : owned_units(params.evaluation_rollouts, rank, ranks)) {
    local_scores.push_back(evaluate_policy_rollout<float>(
        task, cost_set, state.policies, horizon, static_cast<int>(e), state.seed, params.features));
  }
  summary.evaluation =
      policy_evaluation(allgather_unit_values(local_scores, params.evaluation_rollouts));
  timer.stop(summary.seconds.evaluation);
  ++state.iteration;
  return summary;
}

}  // namespace l2o
