#pragma once
// Candidate (a) of issue 16 item 1 (docs/gps-design.md "Privileged gradient state"). psi's state
// gains the coordinate's cost-set gradient g_t (recorded for the cost model anyway, §3.3) as
// component p; pi never sees it and imitates psi through its observations only. Then
//  - the cost of §4 reads the gradient exactly off the state: w_t = sigma_p e_p, w_{0,t} = 0
//    (fit_cost_model with a PrivilegedGradient), instead of a ridge model with R^2 ~ 1/3, so the
//    planner cannot be paid for state directions that merely correlate with the gradient;
//  - the dynamics of component p respond to the own step as the cost model assumes (§4:
//    g_{t+1} - g_t = h_t a_raw), so a step uses up the gradient it is paid for:
//      g_{t+1} = alpha_t g_t + h_t sigma_a a_t + c_t + r_t,   r_t ~ N(0, F_t),
//    alpha_t, c_t, F_t the least-squares fit of g_{t+1} - h_t sigma_a a_t on [g_t, 1] over step
//    t's recorded points. alpha_t is what the other coordinates' moves under the sampling policy
//    do to g (mean field, §5.3); with alpha = 1 the residual was a random walk whose growing
//    variance the planner harvested (docs/gps-design.md). A separable quadratic has alpha = 1,
//    c = F = 0.
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Where the privileged gradient sits in the scaled state and its scale: raw g = scale * s_p.
struct PrivilegedGradient {
  int component = 0;         ///< p: state index of g_t (always active)
  double state_scale = 1.0;  ///< sigma_p > 0 (§3.2's scale of component p)
};

/// Replaces row p of every fitted transition t = 0..T-2 by the privileged gradient's dynamics
/// above (in scaled units: A_t row p = alpha_t e_p, B_t(p) = sigma_a h_t / sigma_p, c_t(p) =
/// c_t / sigma_p, F_t row and column p zero but F_t(p, p) = F_t / sigma_p^2), with h_t the cost
/// model's curvature (`curvature`, T entries), fitted on the raw gradients of `statistics`.
/// Throws std::invalid_argument on mismatched shapes.
void impose_privileged_gradient_dynamics(LinearGaussianDynamics& dynamics,
                                         const TransitionStatistics& statistics,
                                         const Eigen::VectorXd& curvature,
                                         const PrivilegedGradient& privileged, double action_scale);

}  // namespace l2o
