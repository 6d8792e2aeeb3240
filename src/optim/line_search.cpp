#include "optim/line_search.hpp"

#include <cmath>

#include "optim/hyperparameters.hpp"

namespace l2o {

void ArmijoParameters::check(std::string_view owner) const {
  require(std::isfinite(initial_step) && initial_step > 0.0, owner, "initial_step",
          "finite and > 0", initial_step);
  require(shrink > 0.0 && shrink < 1.0, owner, "shrink", "in (0, 1)", shrink);
  require(sufficient_decrease > 0.0 && sufficient_decrease < 1.0, owner, "sufficient_decrease",
          "in (0, 1)", sufficient_decrease);
  require(max_backtracks >= 0, owner, "max_backtracks", ">= 0", max_backtracks);
}

LineSearchResult armijo_backtracking(const ArmijoParameters& parameters, MinibatchOracle& oracle,
                                     const Eigen::Ref<const Eigen::VectorXd>& x, double loss,
                                     double slope,
                                     const Eigen::Ref<const Eigen::VectorXd>& direction,
                                     Eigen::Ref<Eigen::VectorXd> trial,
                                     Eigen::VectorXd* trial_gradient) {
  double step = parameters.initial_step;
  for (int backtracks = 0; backtracks <= parameters.max_backtracks; ++backtracks) {
    trial.noalias() = x + step * direction;
    const double trial_loss = trial_gradient != nullptr
                                  ? oracle.loss_gradient(trial, *trial_gradient)
                                  : oracle.loss(trial);
    // Written so that a NaN loss counts as a rejection.
    if (trial_loss <= loss + parameters.sufficient_decrease * step * slope) return {step, true};
    step *= parameters.shrink;
  }
  return {};
}

LineSearchResult quadratic_exact_step(MinibatchOracle& oracle,
                                      const Eigen::Ref<const Eigen::VectorXd>& x, double slope,
                                      const Eigen::Ref<const Eigen::VectorXd>& direction,
                                      Eigen::Ref<Eigen::VectorXd> trial,
                                      Eigen::VectorXd& workspace) {
  trial.noalias() = x + direction;
  oracle.loss_gradient(trial, workspace);
  const double curvature = workspace.dot(direction) - slope;
  if (!(curvature > 0.0) || !std::isfinite(curvature)) return {};
  const double step = -slope / curvature;
  trial.noalias() = x + step * direction;
  return {step, true};
}

}  // namespace l2o
