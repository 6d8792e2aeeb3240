#pragma once
// How a coordinate's own step changes its next gradient in the local model (issue 16 item 1,
// docs/gps-design.md "Own-step response"). The cost model (gps-spec.md §4) reads the true gradient
// off the state, g_t ~ w_t^T s_t + w_{0,t}, and charges a step a_t (scaled) with the curvature
// h_t, i.e. it assumes g_{t+1} - g_t = h_t sigma_a a_t. The dynamics (§5) predict
// s_{t+1} = A_t s_t + B_t a_t + c_t, so the planner's response of g_{t+1} to a_t is
// r_t = w_{t+1}^T B_t. The two agree only if r_t = sigma_a h_t; the fitted B_t sees the action
// only through exploration noise and gives r_t ~ 0, so the planner expects a step never to use up
// the gradient later steps are paid for.
#include <Eigen/Core>

#include "gps/fit/cost_model.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// r_t / sigma_a = w_{t+1}^T B_t / sigma_a for t = 0..T-2: the model's change of the next raw
/// gradient per raw step, in the units of the curvature h_t (T-1 entries).
Eigen::VectorXd own_step_response(const LinearGaussianDynamics& dynamics, const CostModelFit& cost,
                                  double action_scale);

/// The minimum-norm rank-1 correction of every B_t that makes the response consistent:
///   B_t <- B_t + w_{t+1} (sigma_a h_t - w_{t+1}^T B_t) / |w_{t+1}|^2,
/// so afterwards w_{t+1}^T B_t = sigma_a h_t (up to rounding). w_{t+1} is zero off the active set
/// A(t+1), so inactive rows of B_t stay 0; a step with w_{t+1} = 0 is left as it is.
void match_own_step_response(LinearGaussianDynamics& dynamics, const CostModelFit& cost,
                             double action_scale);

}  // namespace l2o
