#include "gps/lqg/dual_gradient_descent.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gps/lqg/kl_linear_gaussian.hpp"

namespace l2o {

void DgdParams::check() const {
  lqg.check();
  if (!(kl_step > 0.0) || !std::isfinite(kl_step)) {
    throw std::invalid_argument("DgdParams.kl_step must be finite and > 0");
  }
  if (!(eta_min > 0.0)) throw std::invalid_argument("DgdParams.eta_min must be > 0");
  if (!(eta_max > eta_min)) throw std::invalid_argument("DgdParams.eta_max must exceed eta_min");
  if (max_iterations < 1) throw std::invalid_argument("DgdParams.max_iterations must be >= 1");
  if (!(tolerance > 0.0)) throw std::invalid_argument("DgdParams.tolerance must be > 0");
  if (!(slack_eta >= eta_min))
    throw std::invalid_argument("DgdParams.slack_eta must be >= eta_min");
}

DualGradientDescent::DualGradientDescent(Eigen::Index state_dim, Eigen::Index horizon,
                                         DgdParams params)
    : params_(params), backward_(state_dim, horizon, params.lqg), forward_(state_dim, horizon) {
  params_.check();
}

DgdResult DualGradientDescent::solve(const LqgProblem& problem, double eta, double step_multiplier,
                                     LinearGaussianPolicy& policy, const LqgContext& context) {
  if (problem.anchor == nullptr) {
    throw std::invalid_argument("DualGradientDescent::solve: LqgProblem.anchor is required");
  }
  if (!(step_multiplier > 0.0) || !std::isfinite(step_multiplier)) {
    throw std::invalid_argument("DualGradientDescent::solve: step_multiplier must be > 0");
  }
  problem.validate(context);
  DgdResult result;
  result.epsilon = params_.kl_step * step_multiplier * static_cast<double>(problem.horizon());
  double eta_min = params_.eta_min;
  double eta_max = params_.eta_max;
  for (int iteration = 0; iteration < params_.max_iterations; ++iteration) {
    result.iterations = iteration + 1;
    eta = backward_.solve(problem, eta, policy, context);
    forward_.run(policy, *problem.dynamics, context);
    result.eta = eta;
    result.kl = trust_region_kl(policy, *problem.anchor, forward_.marginals(), context);
    const double excess = result.kl - result.epsilon;
    if (std::abs(excess) < params_.tolerance * result.epsilon) {
      result.converged = true;
      break;
    }
    if (excess < 0.0) {
      if (eta <= params_.slack_eta) {
        result.constraint_slack = true;
        break;
      }
      // eta too large: the new policy stays closer to the anchor than allowed.
      eta_max = eta;
      eta = std::max(std::sqrt(eta_min * eta_max), 0.1 * eta_max);
    } else {
      eta_min = eta;
      eta = std::min(std::sqrt(eta_min * eta_max), 10.0 * eta_min);
    }
  }
  return result;
}

}  // namespace l2o
