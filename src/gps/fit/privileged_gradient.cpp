#include "gps/fit/privileged_gradient.hpp"

#include <algorithm>
#include <stdexcept>

#include "gps/fit/fit_error.hpp"

namespace l2o {

void impose_privileged_gradient_dynamics(LinearGaussianDynamics& dynamics,
                                         const TransitionStatistics& statistics,
                                         const Eigen::VectorXd& curvature,
                                         const PrivilegedGradient& privileged,
                                         double action_scale) {
  const Eigen::Index n = dynamics.state_dim();
  const int p = privileged.component;
  if (statistics.state_dim() != n || statistics.horizon() != dynamics.horizon() ||
      curvature.size() != dynamics.horizon() || p < 0 || p >= n ||
      !(privileged.state_scale > 0.0) || !(action_scale > 0.0)) {
    throw std::invalid_argument(
        "impose_privileged_gradient_dynamics: dynamics, statistics and curvature need the same "
        "horizon and state dimension, the component must be a state index, the scales > 0");
  }
  const MomentSums& sums = statistics.sums();
  const int action = statistics.action_column();
  const int gradient = statistics.gradient_column();
  const int next_gradient = statistics.next_gradient_column();
  const int one = statistics.one_column();
  const double scale = privileged.state_scale;
  parallel_for_steps(static_cast<int>(dynamics.horizon()) - 1, [&](int t) {
    Eigen::MatrixXd gram(sums.u_columns(), sums.u_columns());
    Eigen::MatrixXd next_gram(sums.u_columns(), sums.u_columns());
    Eigen::MatrixXd cross(sums.v_columns(), sums.u_columns());
    sums.gram(t, t, gram);
    sums.gram(t + 1, t + 1, next_gram);  // g_{t+1} of step t is g of step t+1 (same points)
    sums.cross(t, t, cross);
    // z = g' - b a_raw (b a_raw = h_t sigma_a a) regressed on [g, 1]: z = alpha g + c + r. The
    // decay alpha carries what the other coordinates' moves under the sampling policy do to g;
    // without it the residual would be a random walk whose variance the planner could harvest.
    const double b = curvature(t) * action_scale;
    const double points = gram(one, one);
    const double sum_g = gram(gradient, one);
    const double sum_z = cross(next_gradient, one) - b * gram(action, one);
    const double sum_zg = cross(next_gradient, gradient) - b * gram(gradient, action);
    const double sum_z2 = next_gram(gradient, gradient) - 2.0 * b * cross(next_gradient, action) +
                          b * b * gram(action, action);
    const double var_g = gram(gradient, gradient) / points - (sum_g / points) * (sum_g / points);
    const double var_z = sum_z2 / points - (sum_z / points) * (sum_z / points);
    const double cov_zg = sum_zg / points - (sum_z / points) * (sum_g / points);
    const double alpha = var_g > 0.0 ? cov_zg / var_g : 1.0;
    const double mean = (sum_z - alpha * sum_g) / points;
    const double variance = std::max(0.0, var_z - alpha * cov_zg);

    Eigen::MatrixXd& transition = dynamics.transition[t];
    transition.row(p).setZero();
    transition(p, p) = alpha;
    transition(p, n) = b / scale;
    dynamics.offset[t](p) = mean / scale;
    dynamics.noise_cov[t].row(p).setZero();
    dynamics.noise_cov[t].col(p).setZero();
    dynamics.noise_cov[t](p, p) = variance / (scale * scale);
  });
}

}  // namespace l2o
