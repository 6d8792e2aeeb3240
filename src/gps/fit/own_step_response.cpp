#include "gps/fit/own_step_response.hpp"

#include <stdexcept>

namespace l2o {

namespace {

void check_shapes(const LinearGaussianDynamics& dynamics, const CostModelFit& cost,
                  double action_scale) {
  if (dynamics.horizon() != cost.gradient_weights.rows() ||
      dynamics.state_dim() != cost.gradient_weights.cols() || !(action_scale > 0.0)) {
    throw std::invalid_argument(
        "own-step response: dynamics and cost model need the same horizon and state dimension, "
        "and action_scale > 0");
  }
}

}  // namespace

Eigen::VectorXd own_step_response(const LinearGaussianDynamics& dynamics, const CostModelFit& cost,
                                  double action_scale) {
  check_shapes(dynamics, cost, action_scale);
  const Eigen::Index n = dynamics.state_dim();
  Eigen::VectorXd response(dynamics.horizon() - 1);
  for (Eigen::Index t = 0; t + 1 < dynamics.horizon(); ++t) {
    response(t) =
        cost.gradient_weights.row(t + 1).dot(dynamics.transition[t].col(n)) / action_scale;
  }
  return response;
}

void match_own_step_response(LinearGaussianDynamics& dynamics, const CostModelFit& cost,
                             double action_scale) {
  check_shapes(dynamics, cost, action_scale);
  const Eigen::Index n = dynamics.state_dim();
  for (Eigen::Index t = 0; t + 1 < dynamics.horizon(); ++t) {
    const auto w = cost.gradient_weights.row(t + 1).transpose();
    const double norm_squared = w.squaredNorm();
    if (!(norm_squared > 0.0)) continue;
    auto action_column = dynamics.transition[t].col(n);
    const double shortfall = action_scale * cost.curvature(t) - w.dot(action_column);
    action_column += (shortfall / norm_squared) * w;
  }
}

}  // namespace l2o
