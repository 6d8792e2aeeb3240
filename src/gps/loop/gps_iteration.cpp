#include "gps/loop/gps_iteration.hpp"

#include <bit>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "dist/communication_time.hpp"
#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

#include "gps/features/observation_normalisation.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/objective_curvature.hpp"
#include "gps/fit/own_step_response.hpp"
#include "gps/fit/policy_linearisation.hpp"
#include "gps/fit/privileged_gradient.hpp"
#include "gps/fit/statistics_reduction.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/loop/badmm_dual_update.hpp"
#include "gps/loop/badmm_policy_targets.hpp"
#include "gps/loop/global_step_control.hpp"
#include "gps/loop/gmm_dynamics_priors.hpp"
#include "gps/loop/group_state_exchange.hpp"
#include "gps/loop/initial_controller.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "gps/lqg/lqg_laplace_estimate.hpp"
#include "gps/lqg/step_size.hpp"
#include "gps/policy/policy_kl.hpp"
#include "gps/policy/policy_loss.hpp"
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
      allgather_unit_matrices(local_targets, static_cast<int>(all_sequences.size()));
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

/// What every phase of one iteration reads.
struct IterationInputs {
  const MlpTask& task;      ///< the base-learner task the rollouts run on
  const MlpTask& cost_set;  ///< f is measured on it
  const GpsParams& params;
  int iteration;            ///< i
  std::size_t groups;       ///< number of coordinate groups
  std::vector<int> owners;  ///< [g]: the rank that fits group g (group_owners)
};

/// The summary before any phase has run: per group, diagnostics named by (i, g).
GpsIterationSummary empty_summary(const IterationInputs& in) {
  GpsIterationSummary summary;
  summary.iteration = in.iteration;
  summary.groups.resize(in.groups);
  summary.dgd.resize(in.groups);
  summary.policy_updates.resize(in.groups);
  for (std::size_t g = 0; g < in.groups; ++g) {
    summary.groups[g].iteration = in.iteration;
    summary.groups[g].group = static_cast<int>(g);
  }
  return summary;
}

/// Step 1 (§12, §3.3): N rollouts of psi-hat on all coordinates, rollout n on rank n mod Z (§14),
/// recorded in scaled units (step 2's scaling is applied by the recorder with the frozen units).
/// Returns this rank's records; every rollout's cost reaches every rank in rollout order.
std::vector<RolloutRecord> sample_rollouts(const IterationInputs& in, const GpsState& state,
                                           GpsIterationSummary& summary) {
  const GpsParams& params = in.params;
  std::vector<LinearGaussianPolicy> controllers;
  std::vector<ScaledUnits> units;
  for (const GpsGroupState& group : state.groups) {
    controllers.push_back(group.sampling_policy);
    units.push_back(group.units);
  }
  RolloutRecorder recorder(
      in.task, in.cost_set,
      {.horizon = params.horizon,
       .max_recorded = params.max_recorded,
       .features = params.features,
       .privileged_gradient = params.privileged_gradient(),
       .gradient_curvature = params.cost.curvature == CurvatureEstimate::gradient,
       .group_objective_changes = params.cost.curvature == CurvatureEstimate::group_objective});
  // Rollouts 0..count-1 of `controllers` (rollout n on rank n mod Z, its record appended to
  // `kept` if given); every rollout's cost (1/T) sum_t f_t reaches every rank in rollout order.
  const auto rollout_costs = [&](int count, std::vector<RolloutRecord>* kept) {
    std::vector<double> local;
    for (const std::int64_t n : owned_units(count, world_rank(), world_size())) {
      RolloutRecord rollout =
          recorder.record(controllers, units, state.seed, {in.iteration, static_cast<int>(n)});
      local.push_back(meta_loss(rollout.true_objective) / params.horizon);
      if (kept != nullptr) kept->push_back(std::move(rollout));
    }
    return allgather_unit_values(local, count);
  };
  // The same summation order on every rank: sum_n (cost_n / N) in rollout order.
  const auto mean = [](const std::vector<double>& costs) {
    double sum = 0.0;
    for (const double cost : costs) sum += cost / static_cast<double>(costs.size());
    return sum;
  };
  std::vector<RolloutRecord> records;
  summary.sample_costs = rollout_costs(params.rollouts, &records);
  summary.mean_sample_cost = mean(summary.sample_costs);
  summary.realised_improvement = state.previous_sample_cost - summary.mean_sample_cost;
  if (params.noise_free_rollouts > 0) {
    for (LinearGaussianPolicy& psi : controllers) psi.variance.setZero();
    summary.noise_free_costs = rollout_costs(params.noise_free_rollouts, nullptr);
    summary.noise_free_cost = mean(summary.noise_free_costs);
  }
  return records;
}

/// gps.curvature = "objective" or "group_objective" (objective_curvature.hpp): every rollout's
/// terms, formed on its rank and gathered in rollout order, give every group's h_t on every rank
/// (one h_t shared by the groups for "objective").
std::vector<Eigen::VectorXd> realised_objective_curvatures(
    const IterationInputs& in, const GpsState& state, const std::vector<RolloutRecord>& records) {
  const bool per_group = in.params.cost.curvature == CurvatureEstimate::group_objective;
  std::vector<double> action_scales;
  std::vector<Eigen::Index> group_sizes;
  for (std::size_t g = 0; g < in.groups; ++g) {
    action_scales.push_back(state.groups[g].units.action_scale);
    group_sizes.push_back(in.task.mlp().groups()[g].size);
  }
  // Per local rollout: 3 x T rows of the terms, per group (or one set for all groups).
  const std::size_t sets = per_group ? in.groups : 1;
  std::vector<Eigen::MatrixXd> local;
  for (const RolloutRecord& record : records) {
    Eigen::MatrixXd rows(3 * sets, in.params.horizon);
    for (std::size_t k = 0; k < sets; ++k) {
      const ObjectiveCurvatureTerms terms =
          per_group
              ? group_objective_curvature_terms(record.groups[k], action_scales[k], group_sizes[k])
              : objective_curvature_terms(record.groups, action_scales, group_sizes,
                                          record.true_objective);
      rows.middleRows(3 * k, 3) << terms.objective_change.transpose(),
          terms.first_order.transpose(), terms.squared_step.transpose();
    }
    local.push_back(std::move(rows));
  }
  const std::vector<Eigen::MatrixXd> all = allgather_unit_matrices(local, in.params.rollouts);
  std::vector<Eigen::VectorXd> curvatures;
  for (std::size_t g = 0; g < in.groups; ++g) {
    const std::size_t k = per_group ? g : 0;
    std::vector<ObjectiveCurvatureTerms> terms;
    for (const Eigen::MatrixXd& rows : all) {
      terms.push_back({rows.row(3 * k).transpose(), rows.row(3 * k + 1).transpose(),
                       rows.row(3 * k + 2).transpose()});
    }
    curvatures.push_back(objective_curvature(terms, in.params.cost.curvature_window));
  }
  return curvatures;
}

/// Every group's share of this rank's rollouts, and its transition statistics on its owner.
struct GroupData {
  std::vector<GroupSamples> samples;              ///< [g]: views into the records
  std::vector<TransitionStatistics> transitions;  ///< [g]: the totals, on group g's owner only
  std::vector<bool> owned;                        ///< [g]: this rank owns group g (§14)
};

/// Step 2 (§12, §14): per-rollout statistics added in rollout order, the totals reduced to the
/// group's owner in.owners[g] (exact sums: the same for any rank count).
GroupData group_data(const IterationInputs& in, const std::vector<RolloutRecord>& records) {
  GroupData data;
  data.samples.resize(in.groups);
  data.transitions.assign(in.groups,
                          TransitionStatistics(in.params.horizon, in.params.state_dim()));
  for (std::size_t g = 0; g < in.groups; ++g) {
    for (const RolloutRecord& record : records) {
      const GroupRolloutRecord& group = record.groups[g];
      data.samples[g].records.push_back(&group);
      data.samples[g].sequences.push_back(observation_sequences(group.observations));
      data.transitions[g].add_rollout(group);
    }
  }
  data.owned = reduce_to_group_owners(data.transitions, in.owners);
  return data;
}

/// Step 2 at i = 0 (§8.1, §8.2): the normalisation of pi's inputs over every rank's observations,
/// on every rank, which creates the policies identically everywhere.
void create_policies(const IterationInputs& in, const std::vector<GroupSamples>& samples,
                     GpsState& state) {
  for (std::size_t g = 0; g < in.groups; ++g) {
    ObservationStatistics observations(observation_dimension(in.params.features));
    for (const Eigen::MatrixXd& sequences : samples[g].sequences) {
      observations.add_rollout(sequences);
    }
    reduce_to_all(observations.sums());
    const PolicyConstants constants{observations.normalisation(),
                                    state.groups[g].units.action_scale};
    state.policies.emplace_back(policy_params(in.params), constants, state.seed,
                                static_cast<std::uint64_t>(g));
  }
}

/// psi_use of inner iteration r (§12 step 8): psi-hat at r = 0, then the last psi-step's psi'.
std::vector<const LinearGaussianPolicy*> psi_in_use(int r, const GpsState& state,
                                                    const std::vector<LinearGaussianPolicy>& psi) {
  std::vector<const LinearGaussianPolicy*> use;
  for (std::size_t g = 0; g < psi.size(); ++g) {
    use.push_back(r > 0 ? &psi[g] : &state.groups[g].sampling_policy);
  }
  return use;
}

/// pi's teacher-forced means on this rank's rollouts and the sums they give, on the owners.
struct PolicySums {
  std::vector<std::vector<Eigen::MatrixXd>> means;  ///< [g][local rollout]: mu~^pi (§6 item 2)
  std::vector<PolicyStatistics> linearisation;      ///< [g]: for pi-bar (§6)
  std::vector<PolicyMismatchStatistics> mismatch;   ///< [g]: mu^psi - mu~^pi for psi (§9)
};

/// Steps 4 and 7, and 8b (§6, §9): pi's teacher-forced means with the current omega and the
/// statistics of pi-bar and of the mismatch to `psi`, reduced to the group owners. Groups never
/// read each other's data in steps 3-9 (§14: groups are the unit of model parallelism).
PolicySums policy_sums(const IterationInputs& in, const std::vector<GroupSamples>& samples,
                       const std::vector<const LinearGaussianPolicy*>& psi,
                       std::vector<GpsPolicy>& policies) {
  PolicySums sums;
  for (std::size_t g = 0; g < in.groups; ++g) {
    sums.means.push_back(teacher_forced(policies[g], samples[g]));
    sums.linearisation.push_back(linearisation_statistics(
        samples[g], sums.means[g], in.params.horizon, in.params.state_dim()));
    sums.mismatch.push_back(
        mismatch_statistics(*psi[g], samples[g], sums.means[g], in.params.horizon));
  }
  reduce_to_group_owners(sums.linearisation, in.owners);
  reduce_to_group_owners(sums.mismatch, in.owners);
  return sums;
}

/// Steps 3-7 (§12) of group g on its owner: dynamics and initial state (§5), pi's linearisation
/// with the current omega (§6), the cost model with gamma_g fixed at iteration 0 from a fit with
/// gamma = 1 (§4), the step-size adaptation from iteration 1 on (§10), and the "initial KL" of
/// psi-hat vs pi (§9).
OwnerFits fit_group(const IterationInputs& in, int g, const TransitionStatistics& transitions,
                    const PolicySums& sums, const Eigen::VectorXd* objective_curvature,
                    const GmmDynamicsPrior* gmm_prior, LqgForwardPass& forward,
                    GpsGroupState& group, GroupDiagnostics& diagnostics) {
  const GpsParams& params = in.params;
  const FitContext context{g, in.iteration};
  DynamicsFit dynamics = fit_dynamics(transitions, params.dynamics, context,
                                      gmm_prior != nullptr ? &gmm_prior->steps : nullptr);
  diagnostics.record(dynamics);
  PolicyLinearisationFit linearisation =
      fit_policy_linearisation(sums.linearisation[g], params.linearisation, context);
  // Issue 16 item 1 (a): the privileged gradient, state component p (privileged_gradient.hpp).
  const int p = state_dimension(params.features);
  const std::optional<PrivilegedGradient> privileged =
      params.privileged_gradient()
          ? std::optional<PrivilegedGradient>({p, group.units.state_scale(p)})
          : std::nullopt;
  const PrivilegedGradient* exact_gradient = privileged ? &*privileged : nullptr;
  if (in.iteration == 0) {
    group.cost_normaliser =
        cost_normaliser(fit_cost_model(transitions, group.units.action_scale, 1.0, params.cost,
                                       context, exact_gradient, objective_curvature));
  }
  CostModelFit cost = fit_cost_model(transitions, group.units.action_scale, group.cost_normaliser,
                                     params.cost, context, exact_gradient, objective_curvature);
  diagnostics.record(cost);
  // Issue 16 item 1: the fitted dynamics' response of the next gradient to the own step, then
  // (b) its correction to the cost model's curvature or (a) the privileged gradient's dynamics
  // (own_step_response.hpp, privileged_gradient.hpp, docs/gps-design.md).
  diagnostics.record_own_step_response(
      own_step_response(dynamics.dynamics, cost, group.units.action_scale));
  if (params.own_step_response == OwnStepResponse::matched) {
    match_own_step_response(dynamics.dynamics, cost, group.units.action_scale);
  }
  if (privileged) {
    impose_privileged_gradient_dynamics(dynamics.dynamics, transitions, cost.curvature, *privileged,
                                        group.units.action_scale);
  }
  // Issue 16 item 5: does the model reproduce the cost of the policy whose samples it fits?
  const LqgModel current_model{dynamics.dynamics, cost.cost, linearisation.linearisation};
  diagnostics.record_cost_check(
      laplace_estimate(group.sampling_policy, current_model, Eigen::VectorXd::Zero(params.horizon),
                       forward, LqgContext{g, in.iteration})
          .cost,
      cost);
  if (in.iteration >= 1) {
    const LqgModel previous{group.previous_dynamics, group.previous_cost,
                            group.previous_linearisation};
    const StepImprovement improvement =
        step_improvement(group.previous_sampling_policy, group.sampling_policy, previous,
                         current_model, group.duals.nu, forward, LqgContext{g, in.iteration});
    if (params.step_control == StepControl::per_group) {
      group.step_multiplier =
          adapt_step_multiplier(group.step_multiplier, improvement, params.step_size);
    }  // else control_global_step sets it, once every group's prediction is known
    diagnostics.record(improvement, group.step_multiplier);
  }
  Eigen::VectorXd initial_kl =
      badmm_policy_kl(sums.mismatch[g].mismatch(), group.sampling_policy.variance, params.duals);
  return OwnerFits{std::move(dynamics), std::move(cost), std::move(linearisation),
                   std::move(initial_kl)};
}

/// The GMM priors of the owned groups with gps.dynamics_prior = "gmm" (gmm_dynamics_priors.hpp;
/// every group's subsample carried in the state for reuse), else none.
std::vector<std::optional<GmmDynamicsPrior>> gmm_dynamics_priors(
    const IterationInputs& in, const std::vector<RolloutRecord>& records,
    const std::vector<Eigen::Index>& recorded, const std::vector<bool>& owned, GpsState& state) {
  if (in.params.dynamics.prior != DynamicsPrior::gmm)
    return std::vector<std::optional<GmmDynamicsPrior>>(in.groups);
  std::vector<Eigen::MatrixXd> reused;
  for (GpsGroupState& group : state.groups) reused.push_back(std::move(group.reused_points));
  const GmmPriorRound round{.iteration = in.iteration,
                            .seed = state.seed,
                            .rollouts = in.params.rollouts,
                            .horizon = in.params.horizon,
                            .recorded = recorded,
                            .owned = owned,
                            .keep_for_reuse = in.params.reuse_previous_samples};
  std::vector<std::optional<GmmDynamicsPrior>> priors =
      fit_gmm_dynamics_priors(records, round, reused);
  for (std::size_t g = 0; g < in.groups; ++g) state.groups[g].reused_points = std::move(reused[g]);
  return priors;
}

/// Steps 3-7 (fit_group) of every group this rank owns (in.owners; §14 has g mod Z); the
/// other groups' entries stay empty. `objective_curvatures`: per group, or empty (§4's h_t);
/// `gmm_priors`: per group, set on the owners with the GMM dynamics prior (§5.4).
std::vector<std::optional<OwnerFits>> fit_owned_groups(
    const IterationInputs& in, const GroupData& data, const PolicySums& sums,
    const std::vector<Eigen::VectorXd>& objective_curvatures,
    const std::vector<std::optional<GmmDynamicsPrior>>& gmm_priors, GpsState& state,
    GpsIterationSummary& summary) {
  LqgForwardPass forward(in.params.state_dim(), in.params.horizon);
  std::vector<std::optional<OwnerFits>> fits(in.groups);
  for (std::size_t g = 0; g < in.groups; ++g) {
    if (!data.owned[g]) continue;
    fits[g] = fit_group(in, static_cast<int>(g), data.transitions[g], sums,
                        objective_curvatures.empty() ? nullptr : &objective_curvatures[g],
                        gmm_priors[g] ? &*gmm_priors[g] : nullptr, forward, state.groups[g],
                        summary.groups[g]);
  }
  return fits;
}

/// Step 8a (§8.3-§8.5, §14): every group's pi trained on the BADMM targets of psi_use, data
/// parallel over the minibatch blocks; streams keyed by (seed, r) and (i, g). `all_sequences`,
/// every rollout's observation sequences per group, is gathered on first use.
void train_policies(const IterationInputs& in, int r,
                    const std::vector<const LinearGaussianPolicy*>& psi_use,
                    const std::vector<GroupSamples>& samples,
                    std::vector<std::vector<Eigen::MatrixXd>>& all_sequences, GpsState& state,
                    GpsIterationSummary& summary) {
  for (std::size_t g = 0; g < in.groups; ++g) {
    if (all_sequences[g].empty()) {
      all_sequences[g] = allgather_unit_matrices(samples[g].sequences, in.params.rollouts);
    }
    const PolicyTrainingSet data =
        training_set(*psi_use[g], state.groups[g].duals, samples[g], all_sequences[g]);
    const PolicyUpdateKey key{
        .seed = RandomStream(state.seed, "gps-policy-update", {static_cast<std::uint64_t>(r)})
                    .next_u64(),
        .iteration = static_cast<std::uint64_t>(in.iteration),
        .group = static_cast<std::uint64_t>(g)};
    summary.policy_updates[g].push_back(
        train_policy(state.policies[g], data, in.params.policy_training, key));
  }
}

/// Steps 8b-8c (§6, §9) on the owners, from the sums with the trained omega: pi-bar refitted, then
/// the duals with psi* = psi_use: lambda every time, nu on the last inner iteration.
void refit_and_update_duals(const IterationInputs& in, int r, const PolicySums& sums,
                            const std::vector<const LinearGaussianPolicy*>& psi_use,
                            const std::vector<bool>& owned,
                            std::vector<std::optional<OwnerFits>>& fits, GpsState& state) {
  const GpsParams& params = in.params;
  for (std::size_t g = 0; g < in.groups; ++g) {
    if (!owned[g]) continue;
    BadmmDuals& duals = state.groups[g].duals;
    fits[g]->linearisation = fit_policy_linearisation(
        sums.linearisation[g], params.linearisation, FitContext{static_cast<int>(g), in.iteration});
    const PolicyMismatch mismatch = sums.mismatch[g].mismatch();
    update_multipliers(mismatch, psi_use[g]->variance, params.duals, duals);
    if (r == params.inner_iterations - 1) {
      update_penalty_weights(badmm_policy_kl(mismatch, psi_use[g]->variance, params.duals),
                             params.duals, duals);
    }
  }
}

/// Step 8d (§7) on the owners: the psi-step with anchor psi-hat (always the sampling policy) by
/// dual gradient descent on eta (§7.6) into psi'; psi', the duals and eta then reach every rank
/// for the next theta-step and the KLs (§14).
void solve_psi_steps(const IterationInputs& in, const std::vector<bool>& owned,
                     const std::vector<std::optional<OwnerFits>>& fits, const ActiveMask& mask,
                     DualGradientDescent& dgd, std::vector<LinearGaussianPolicy>& psi_new,
                     GpsState& state, GpsIterationSummary& summary) {
  for (std::size_t g = 0; g < in.groups; ++g) {
    if (!owned[g]) continue;
    GpsGroupState& group = state.groups[g];
    const LqgProblem problem{.dynamics = &fits[g]->dynamics.dynamics,
                             .cost = &fits[g]->cost.cost,
                             .anchor = &group.sampling_policy,
                             .linearisation = &fits[g]->linearisation.linearisation,
                             .duals = &group.duals,
                             .active = &mask};
    const DgdResult result = dgd.solve(problem, group.eta, group.step_multiplier, psi_new[g],
                                       LqgContext{static_cast<int>(g), in.iteration});
    group.eta = result.eta;
    summary.dgd[g].push_back(result);
  }
  for (std::size_t g = 0; g < in.groups; ++g) {
    GpsGroupState& group = state.groups[g];
    broadcast_psi_step(in.owners[g], psi_new[g], group.duals, group.eta);
  }
}

/// The final KL of psi' vs pi (§9), then step 9 (§12) on the owner: eta, m, lambda, nu and omega
/// carry over, psi' becomes psi-hat and this iteration's fits the previous local model of §10.
/// Every rank then receives each group's state, diagnostics and psi-step results (§14).
void carry_over(const IterationInputs& in, const std::vector<GroupSamples>& samples,
                const PolicySums& sums, const std::vector<bool>& owned,
                std::vector<std::optional<OwnerFits>>& fits,
                std::vector<LinearGaussianPolicy>& psi_new, GpsState& state,
                GpsIterationSummary& summary) {
  std::vector<PolicyMismatchStatistics> mismatch_sums;
  for (std::size_t g = 0; g < in.groups; ++g) {
    mismatch_sums.push_back(
        mismatch_statistics(psi_new[g], samples[g], sums.means[g], in.params.horizon));
  }
  reduce_to_group_owners(mismatch_sums, in.owners);
  double initial_kl_sum = 0.0;
  double final_kl_sum = 0.0;
  for (std::size_t g = 0; g < in.groups; ++g) {
    GpsGroupState& group = state.groups[g];
    GroupDiagnostics& diagnostics = summary.groups[g];
    if (owned[g]) {
      OwnerFits& fit = *fits[g];
      diagnostics.record(summary.dgd[g].back());
      diagnostics.record(fit.linearisation);
      const Eigen::VectorXd final_kl =
          badmm_policy_kl(mismatch_sums[g].mismatch(), psi_new[g].variance, in.params.duals);
      diagnostics.record_policy_kl(fit.initial_kl, final_kl);
      group.previous_dynamics = std::move(fit.dynamics.dynamics);
      group.previous_cost = std::move(fit.cost.cost);
      group.previous_linearisation = std::move(fit.linearisation.linearisation);
      group.previous_sampling_policy = std::move(group.sampling_policy);
      group.sampling_policy = std::move(psi_new[g]);
    }
    broadcast_group_results(in.owners[g], group, diagnostics, summary.dgd[g]);
    initial_kl_sum += diagnostics.policy_kl_before;
    final_kl_sum += diagnostics.policy_kl_after;
  }
  summary.mean_initial_kl = initial_kl_sum / static_cast<double>(in.groups);
  summary.mean_final_kl = final_kl_sum / static_cast<double>(in.groups);
}

/// Issue 16 item 2 (global_step_control.hpp): every rank gathers the groups' predicted
/// improvements from their owners, converts them to true-objective units like
/// summed_prediction, and applies one multiplier to all groups; a rejected step sends every
/// group's psi-hat back to psi_prev before the psi-step.
void control_global_step(const IterationInputs& in, GpsState& state, GpsIterationSummary& summary) {
  const auto groups = static_cast<std::int64_t>(in.groups);
  // Group g's prediction comes from its owner (in.owners, not g mod Z).
  std::vector<double> predictions(in.groups);
  for (std::size_t g = 0; g < in.groups; ++g) {
    std::vector<std::uint64_t> words{
        std::bit_cast<std::uint64_t>(summary.groups[g].predicted_cost_improvement)};
    broadcast_words(in.owners[g], words);
    predictions[g] = std::bit_cast<double>(words.front());
  }
  double predicted = 0.0;
  for (std::int64_t g = 0; g < groups; ++g) {
    predicted += static_cast<double>(in.task.mlp().groups()[g].size) * predictions[g] /
                 state.groups[g].cost_normaliser;
  }
  const GlobalStepDecision decision =
      global_step_decision(state.groups.front().step_multiplier, predicted,
                           summary.realised_improvement, in.params.step_size);
  for (std::int64_t g = 0; g < groups; ++g) {
    GpsGroupState& group = state.groups[g];
    group.step_multiplier = decision.multiplier;
    summary.groups[g].step_multiplier = decision.multiplier;
    summary.groups[g].step_accepted = decision.accepted;
    // Every rank: step 8a builds every group's policy targets from psi-hat on every rank.
    if (!decision.accepted) group.sampling_policy = group.previous_sampling_policy;
  }
}

/// Issue 16 item 5: the step-size rule's predicted improvement of psi-hat over psi_prev in
/// true-objective units (J_g / gamma_g is one coordinate's change of the mean objective over the
/// horizon, §4; times the group's n_g coordinates); NaN at iteration 0. Then the baseline of the
/// next realised improvement: this psi-hat's cost unless global step control rejected it (then
/// psi_prev's, which the baseline already holds).
void summarise_improvement(const IterationInputs& in, GpsState& state,
                           GpsIterationSummary& summary) {
  summary.predicted_improvement = 0.0;
  for (std::size_t g = 0; g < in.groups; ++g) {
    summary.predicted_improvement += static_cast<double>(in.task.mlp().groups()[g].size) *
                                     summary.groups[g].predicted_cost_improvement /
                                     state.groups[g].cost_normaliser;
  }
  if (summary.groups.front().step_accepted) state.previous_sample_cost = summary.mean_sample_cost;
}

/// Step 10 (§12, §15): deterministic test-time rollouts of pi with the fixed evaluation seeds,
/// rollout e on rank e mod Z, the scores gathered in rollout order.
PolicyEvaluation evaluate_policies(const IterationInputs& in, GpsState& state) {
  const GpsParams& params = in.params;
  std::vector<double> local_scores;
  for (const std::int64_t e : owned_units(params.evaluation_rollouts, world_rank(), world_size())) {
    local_scores.push_back(evaluate_policy_rollout<float>(in.task, in.cost_set, state.policies,
                                                          params.horizon, static_cast<int>(e),
                                                          state.seed, params.features));
  }
  return policy_evaluation(allgather_unit_values(local_scores, params.evaluation_rollouts));
}

}  // namespace

GpsIterationSummary run_gps_iteration(const MlpTask& task, const MlpTask& cost_set,
                                      const GpsParams& params, GpsState& state) {
  params.check();
  const std::size_t groups = task.mlp().groups().size();
  if (state.groups.size() != groups) {
    throw std::invalid_argument("run_gps_iteration: the state has " +
                                std::to_string(state.groups.size()) + " groups, the task " +
                                std::to_string(groups));
  }
  if ((state.iteration == 0) != state.policies.empty()) {
    throw std::invalid_argument(
        "run_gps_iteration: policies must be absent exactly before iteration 0");
  }
  // Owners balanced by recorded points (docs/gps-design.md; §14 has g mod Z).
  std::vector<Eigen::Index> recorded_points;
  for (const ParameterGroup& group : task.mlp().groups()) {
    recorded_points.push_back(std::min(group.size, params.max_recorded));
  }
  const IterationInputs in{
      task, cost_set, params, state.iteration, groups, group_owners(recorded_points, world_size())};
  GpsIterationSummary summary = empty_summary(in);
  PhaseTimer timer(summary.seconds);

  const std::vector<RolloutRecord> records = sample_rollouts(in, state, summary);
  timer.stop(summary.seconds.sampling);

  const GroupData data = group_data(in, records);
  if (in.iteration == 0) create_policies(in, data.samples, state);
  std::vector<LinearGaussianPolicy> psi_new(groups);  // psi' of the latest psi-step (8d)
  PolicySums sums = policy_sums(in, data.samples, psi_in_use(0, state, psi_new), state.policies);
  const bool from_objective = params.cost.curvature == CurvatureEstimate::objective ||
                              params.cost.curvature == CurvatureEstimate::group_objective;
  const std::vector<Eigen::VectorXd> objective_curvatures =
      from_objective ? realised_objective_curvatures(in, state, records)
                     : std::vector<Eigen::VectorXd>{};
  const std::vector<std::optional<GmmDynamicsPrior>> gmm_priors =
      gmm_dynamics_priors(in, records, recorded_points, data.owned, state);
  std::vector<std::optional<OwnerFits>> fits =
      fit_owned_groups(in, data, sums, objective_curvatures, gmm_priors, state, summary);
  if (params.step_control == StepControl::global && in.iteration >= 1) {
    control_global_step(in, state, summary);
  }
  timer.stop(summary.seconds.fits);

  // Step 8: R inner iterations, all groups in step. Without a theta-step (i = 0, r = 0) omega is
  // unchanged, and step 4's means and fit are the result of 8a-8b.
  const int state_dim = params.state_dim();
  const ActiveMask mask = active_mask(params.horizon, state_dim);
  DualGradientDescent dgd(state_dim, params.horizon, params.dgd);
  std::vector<std::vector<Eigen::MatrixXd>> all_sequences(groups);  // every rollout's, for 8a
  for (int r = 0; r < params.inner_iterations; ++r) {
    const std::vector<const LinearGaussianPolicy*> psi_use = psi_in_use(r, state, psi_new);
    if (in.iteration > 0 || r > 0) {
      train_policies(in, r, psi_use, data.samples, all_sequences, state, summary);
      timer.stop(summary.seconds.policy_training);
      sums = policy_sums(in, data.samples, psi_use, state.policies);
      refit_and_update_duals(in, r, sums, psi_use, data.owned, fits, state);
      timer.stop(summary.seconds.fits);
    }
    solve_psi_steps(in, data.owned, fits, mask, dgd, psi_new, state, summary);
    timer.stop(summary.seconds.lqg);
  }

  carry_over(in, data.samples, sums, data.owned, fits, psi_new, state, summary);
  summarise_improvement(in, state, summary);
  timer.stop(summary.seconds.fits);
  summary.evaluation = evaluate_policies(in, state);
  timer.stop(summary.seconds.evaluation);
  ++state.iteration;
  return summary;
}

}  // namespace l2o
