#include "gps/loop/group_diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace l2o {

StepSeriesSummary summarise_steps(const Eigen::Ref<const Eigen::VectorXd>& series) {
  if (series.size() == 0) throw std::invalid_argument("summarise_steps: empty series");
  if (series.hasNaN()) throw std::invalid_argument("summarise_steps: the series holds a NaN");
  StepSeriesSummary summary;
  Eigen::Index argmin = 0;
  Eigen::Index argmax = 0;
  summary.min = series.minCoeff(&argmin);  // Eigen returns the first extremum
  summary.max = series.maxCoeff(&argmax);
  summary.argmin = static_cast<int>(argmin);
  summary.argmax = static_cast<int>(argmax);
  summary.mean = series.mean();
  std::vector<double> sorted(series.begin(), series.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t half = sorted.size() / 2;
  summary.median = sorted.size() % 2 == 1 ? sorted[half] : 0.5 * (sorted[half - 1] + sorted[half]);
  return summary;
}

namespace {

// Condition estimates from reciprocal ones; an rcond of 0 (singular) reads as +inf.
StepSeriesSummary condition_summary(const Eigen::VectorXd& rcond) {
  return summarise_steps(rcond.cwiseInverse());
}

}  // namespace

void GroupDiagnostics::record(const CostModelFit& fit) {
  gradient_r_squared = summarise_steps(fit.gradient_r_squared);
  cost_condition = condition_summary(fit.normal_rcond);
  curvature = summarise_steps(fit.curvature);
}

void GroupDiagnostics::record_own_step_response(const Eigen::Ref<const Eigen::VectorXd>& response) {
  own_step_response = summarise_steps(response);
}

void GroupDiagnostics::record(const DynamicsFit& fit) {
  dynamics_condition = condition_summary(fit.input_rcond);
}

void GroupDiagnostics::record(const PolicyLinearisationFit& fit) {
  linearisation_condition = condition_summary(fit.state_rcond);
}

void GroupDiagnostics::record(const DgdResult& result) {
  eta = result.eta;
  kl_bound = result.epsilon;
  trust_region_kl = result.kl;
  dgd_iterations = result.iterations;
  dgd_converged = result.converged;
  constraint_slack = result.constraint_slack;
}

void GroupDiagnostics::record_cost_check(double laplace_cost, const CostModelFit& fit) {
  model_cost = laplace_cost;
  sample_cost = fit.mean_step_cost.sum();
}

void GroupDiagnostics::record(const StepImprovement& improvement, double new_step_multiplier) {
  predicted_improvement = improvement.predicted;
  actual_improvement = improvement.actual;
  predicted_cost_improvement = improvement.predicted_cost;
  step_multiplier = new_step_multiplier;
}

void GroupDiagnostics::record_policy_kl(const Eigen::Ref<const Eigen::VectorXd>& before,
                                        const Eigen::Ref<const Eigen::VectorXd>& after) {
  policy_kl_before = summarise_steps(before).mean;
  policy_kl_after = summarise_steps(after).mean;
}

}  // namespace l2o
