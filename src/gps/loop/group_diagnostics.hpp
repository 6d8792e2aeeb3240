#pragma once
// Per-(GPS iteration, group) diagnostics a user needs to trust a run (issue 5 item 7;
// gps-spec.md §18.2 names what to watch): the psi-step's dual and KLs, the BADMM policy KL, the
// step-size rule's predicted vs actual improvement, and the quality of the fits (R^2 of the
// gradient model, conditioning of the regressions) summarised over time steps. Filled from the
// results of the fit / DGD / step-size code; written by group_diagnostics_io.hpp.
#include <Eigen/Core>
#include <limits>

#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/policy_linearisation.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/lqg/step_size.hpp"

namespace l2o {

/// Summary over time steps of a per-step series (NaN and -1 when not recorded).
struct StepSeriesSummary {
  double min = std::numeric_limits<double>::quiet_NaN();
  double median = std::numeric_limits<double>::quiet_NaN();  ///< mean of the middle two if even
  double mean = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  int argmin = -1;  ///< first step holding the minimum
  int argmax = -1;  ///< first step holding the maximum
};

/// Summary of `series` (index = time step). Throws std::invalid_argument if it is empty or holds
/// a NaN (a fit never produces one; a NaN here is a bug upstream).
StepSeriesSummary summarise_steps(const Eigen::Ref<const Eigen::VectorXd>& series);

/// Everything logged for one group in one GPS iteration. Quantities not produced in an
/// iteration (e.g. the step-size rule at iteration 0) stay NaN.
struct GroupDiagnostics {
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  int iteration = -1;  ///< GPS iteration i
  int group = -1;      ///< coordinate group g

  // psi-step (§7.6): the trust-region KL(psi' || psi-hat) the DGD ended with, and its bound.
  double eta = kUnset;              ///< eta_g of the returned psi'
  double kl_bound = kUnset;         ///< epsilon_g = kl_step m_g T
  double trust_region_kl = kUnset;  ///< KL(psi' || psi-hat) after the DGD (before it: 0)
  int dgd_iterations = 0;           ///< backward/forward passes of the last DGD call
  bool dgd_converged = false;       ///< |KL - epsilon| < tolerance epsilon
  bool constraint_slack = false;    ///< stopped at eta_min with KL < epsilon

  // BADMM (§9, §12 step 7): mean over t of the Monte-Carlo KL(psi_t || pi_t).
  double policy_kl_before = kUnset;  ///< psi-hat vs pi before the inner iterations ("initial KL")
  double policy_kl_after = kUnset;   ///< psi' vs pi after the last inner iteration

  // Step size (§10).
  double predicted_improvement = kUnset;  ///< J(psi_prev; prev) - J(psi-hat; prev)
  double actual_improvement = kUnset;     ///< J(psi_prev; prev) - J(psi-hat; cur)
  /// The cost part of predicted_improvement (no KL term): the model's change of the objective.
  double predicted_cost_improvement = kUnset;
  /// Does the model reproduce the data it was fitted on? psi-hat's cost (§4, gamma_g units) as
  /// the Laplace estimate under this iteration's fits (§7.7, no KL), and as the mean over the
  /// recorded points of the per-step cost, summed over t (CostModelFit::mean_step_cost).
  double model_cost = kUnset;
  double sample_cost = kUnset;      ///< see model_cost
  double step_multiplier = kUnset;  ///< m_g after the adaptation
  /// False when global step control rejected psi-hat (the psi-step restarts from psi_prev).
  bool step_accepted = true;

  // Fits, summarised over t.
  StepSeriesSummary gradient_r_squared;       ///< R^2 of the gradient model (§4 item 1)
  StepSeriesSummary cost_condition;           ///< 1/rcond of the gradient model's normal matrix
  StepSeriesSummary dynamics_condition;       ///< 1/rcond of Sigma_uu + delta I (§5.1, §18.2 r7)
  StepSeriesSummary linearisation_condition;  ///< 1/rcond of Sigma_ss + delta I of pi-bar (§6)
  /// The cost model's curvature h_t (raw units, §4 item 2), t = 0..T-1.
  StepSeriesSummary curvature;
  /// The fitted dynamics' own-step response w_{t+1}^T B_t / sigma_a (own_step_response.hpp),
  /// t = 0..T-2, in h_t's units; before any correction. Consistent models have it equal to h_t.
  StepSeriesSummary own_step_response;

  /// Records the cost fit's R^2, conditioning and curvature.
  void record(const CostModelFit& fit);
  /// Records the fitted own-step response (own_step_response(), T-1 entries).
  void record_own_step_response(const Eigen::Ref<const Eigen::VectorXd>& response);
  /// Records the dynamics fit's conditioning of Sigma_uu.
  void record(const DynamicsFit& fit);
  /// Records the linearisation's conditioning of Sigma_ss.
  void record(const PolicyLinearisationFit& fit);
  /// Records the psi-step's outcome.
  void record(const DgdResult& result);
  /// Records the step-size rule's inputs and the new multiplier.
  void record(const StepImprovement& improvement, double new_step_multiplier);
  /// Records model_cost (psi-hat's Laplace cost under this iteration's fits) and sample_cost.
  void record_cost_check(double laplace_cost, const CostModelFit& fit);
  /// Records the mean over t of the per-step policy KLs (badmm_policy_kl) before and after.
  void record_policy_kl(const Eigen::Ref<const Eigen::VectorXd>& before,
                        const Eigen::Ref<const Eigen::VectorXd>& after);
};

}  // namespace l2o
