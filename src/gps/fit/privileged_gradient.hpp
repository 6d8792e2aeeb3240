#pragma once
// Candidate (a) of issue 16 item 1 (docs/gps-design.md "Privileged gradient state"). psi's state
// gains the coordinate's cost-set gradient g_t (recorded for the cost model anyway, §3.3) as
// component p; pi never sees it and imitates psi through its observations only. Then
//  - the cost of §4 reads the gradient exactly off the state: w_t = sigma_p e_p, w_{0,t} = 0
//    (fit_cost_model with a PrivilegedGradient), instead of a ridge model with R^2 ~ 1/3, so the
//    planner cannot be paid for state directions that merely correlate with the gradient;
//  - the dynamics of component p are the cost model's own assumption (§4: g_{t+1} - g_t = h_t
//  a_raw)
//      g_{t+1} = g_t + h_t sigma_a a_t + r_t,   r_t ~ N(c_t, F_t),
//    with c_t and F_t the mean and variance of the residual over step t's recorded points, so the
//    planner's response of the next gradient to the own step is exactly sigma_a h_t: a step uses
//    up the gradient it is paid for, as on a quadratic with curvature h_t.
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Where the privileged gradient sits in the scaled state and its scale: raw g = scale * s_p.
struct PrivilegedGradient {
  int component = 0;         ///< p: state index of g_t (always active)
  double state_scale = 1.0;  ///< sigma_p > 0 (§3.2's scale of component p)
};

/// Replaces row p of every fitted transition t = 0..T-2 by the privileged gradient's dynamics
/// above (in scaled units: A_t row p = e_p, B_t(p) = sigma_a h_t / sigma_p, c_t(p) = mean r /
/// sigma_p, F_t row and column p zero but F_t(p, p) = var r / sigma_p^2), with h_t the cost
/// model's curvature (`curvature`, T entries) and r = g_{t+1} - g_t - h_t sigma_a a_t from the
/// raw gradients of `statistics`. Throws std::invalid_argument on mismatched shapes.
void impose_privileged_gradient_dynamics(LinearGaussianDynamics& dynamics,
                                         const TransitionStatistics& statistics,
                                         const Eigen::VectorXd& curvature,
                                         const PrivilegedGradient& privileged, double action_scale);

}  // namespace l2o
