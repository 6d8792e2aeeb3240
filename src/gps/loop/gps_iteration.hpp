#pragma once
// One GPS iteration for all coordinate groups in the order of gps-spec.md §12 (steps 1-10), and
// the initialisation of §11 that precedes iteration 0. No I/O: everything worth logging is
// returned in GpsIterationSummary. Deterministic: every random stream is keyed by (seed,
// iteration, rollout / inner iteration / group, purpose), sufficient statistics are exact
// fixed-point sums formed per rollout, and every parallel kernel used is thread-count
// independent, so the state and the summary (except the timings) are bitwise the same for any
// OMP_NUM_THREADS. Callers run Eigen single-threaded (Eigen::setNbThreads(1), as the l2o binary
// does) so the LQG's products are serial.
//
// On Z MPI ranks (§14) run_gps_iteration is a collective over MPI_COMM_WORLD, called by every
// rank with the same state: rollout n runs on rank n mod Z and keeps its recorded data there;
// the statistics of group g are reduced to its owner (group_owners: balanced by recorded points,
// docs/gps-design.md; §14 has g mod Z), which fits the group, adapts
// its step size, updates its duals and runs its DGD-LQG, then sends the results to every rank;
// the policy updates are data parallel over minibatch blocks (policy_gradient_reduction.hpp);
// evaluation rollout e runs on rank e mod Z. Every rank ends with the same full state and
// summary, bitwise equal to a single process's for any Z. Without MPI_Init it runs as one rank.
#include <limits>
#include <vector>

#include "gps/loop/gps_params.hpp"
#include "gps/loop/gps_state.hpp"
#include "gps/loop/group_diagnostics.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/policy/policy_evaluation.hpp"
#include "gps/policy/policy_training.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// Wall-clock seconds per phase of one iteration (not deterministic; never compared).
struct GpsPhaseSeconds {
  double sampling = 0.0;         ///< step 1: rollouts of psi-hat
  double fits = 0.0;             ///< steps 2-7 and 8b-8c: scaling, fits, step size, duals, KLs
  double lqg = 0.0;              ///< step 8d: DGD-LQG
  double policy_training = 0.0;  ///< step 8a
  double evaluation = 0.0;       ///< step 10: test-time rollouts of pi
  /// Time inside MPI collectives over all phases (gps-spec.md §14); the phases above exclude it.
  double communication = 0.0;
};

/// What one iteration reports.
struct GpsIterationSummary {
  int iteration = -1;  ///< i
  /// Per rollout of psi-hat: (1/T) sum_{t=1}^T f_t on the cost set (the meta-loss / T).
  std::vector<double> sample_costs;
  double mean_sample_cost = 0.0;  ///< mean of sample_costs
  /// Per noise-free rollout (GpsParams::noise_free_rollouts): its cost, like sample_costs.
  std::vector<double> noise_free_costs;
  /// Mean of noise_free_costs: psi's cost without exploration noise; NaN without such rollouts.
  double noise_free_cost = std::numeric_limits<double>::quiet_NaN();
  PolicyEvaluation evaluation;   ///< step 10: pi's test-time score (evaluation.score)
  double mean_initial_kl = 0.0;  ///< mean over groups of the step-7 KL(psi-hat || pi)
  double mean_final_kl = 0.0;    ///< mean over groups of KL(psi' || pi) after the last 8b
  /// Sum over groups of the step-size rule's predicted improvement of psi-hat over psi_prev in
  /// true-objective units (change of the mean objective over the horizon); NaN at iteration 0.
  double predicted_improvement = std::numeric_limits<double>::quiet_NaN();
  /// The last accepted psi-hat's mean sample cost minus this one's; NaN at iteration 0.
  double realised_improvement = std::numeric_limits<double>::quiet_NaN();
  std::vector<GroupDiagnostics> groups;     ///< per group (§10, §18.2)
  std::vector<std::vector<DgdResult>> dgd;  ///< [g][r]: every psi-step of the iteration
  /// [g][update]: every policy update (R - 1 at iteration 0, else R).
  std::vector<std::vector<PolicyUpdateReport>> policy_updates;
  GpsPhaseSeconds seconds;  ///< timings
};

/// The state before iteration 0 (gps-spec.md §11): the initial controller's grid search, scales
/// and psi-hat (choose_initial_controller), lambda = 0, nu = initial_nu, eta = initial_eta,
/// m = 1. The policies are created in iteration 0, once their normalisation is known.
GpsState initialise_gps(const MlpTask& task, const MlpTask& cost_set, const GpsParams& params,
                        std::uint64_t seed);

/// Runs iteration state.iteration (§12 steps 1-10) on `task` with f on `cost_set`, updates
/// `state` (advancing the counter) and returns the summary. Throws RolloutError, FitError or
/// LqgError naming group, iteration (and rollout / step) on a numerical failure; `state` is then
/// unusable (restart from the last checkpoint).
GpsIterationSummary run_gps_iteration(const MlpTask& task, const MlpTask& cost_set,
                                      const GpsParams& params, GpsState& state);

}  // namespace l2o
