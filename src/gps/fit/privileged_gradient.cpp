#include "gps/fit/privileged_gradient.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "gps/features/features.hpp"
#include "gps/fit/dynamics_fit.hpp"
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
    Eigen::MatrixXd cross(sums.v_columns(), sums.u_columns());
    sums.gram(t, t, gram);
    sums.cross(t, t, cross);
    // z = g' - b a_raw (b a_raw = h_t sigma_a a) regressed on [g, 1]: z = alpha g + c + r. The
    // decay alpha carries what the other coordinates' moves under the sampling policy do to g;
    // without it the residual would be a random walk whose variance the planner could harvest.
    const double b = curvature(t) * action_scale;
    const double points = gram(one, one);
    const double sum_g = gram(gradient, one);
    const double sum_z = cross(next_gradient, one) - b * gram(action, one);
    const double sum_zg = cross(next_gradient, gradient) - b * gram(gradient, action);
    const double var_g = gram(gradient, gradient) / points - (sum_g / points) * (sum_g / points);
    const double cov_zg = sum_zg / points - (sum_z / points) * (sum_g / points);
    const double alpha = var_g > 0.0 ? cov_zg / var_g : 1.0;
    const double mean = (sum_z - alpha * sum_g) / points;

    Eigen::MatrixXd& transition = dynamics.transition[t];
    transition.row(p).setZero();
    transition(p, p) = alpha;
    transition(p, n) = b / scale;
    dynamics.offset[t](p) = mean / scale;
    // F_t's row p: the covariance of g's residual with every component's residual, from step
    // t's points. The fresh part of g' and of the minibatch features at t+1 are correlated (both
    // come from x_{t+1}); an independent g-noise would decouple the features from the gradient.
    const std::vector<int> state = active_set(t, static_cast<int>(n));
    const std::vector<int> next_state = active_set(t + 1, static_cast<int>(n));
    std::vector<int> regressors = state;
    regressors.push_back(action);
    const GaussianMoments moments = transition_moments(statistics, t, t, regressors, next_state);
    const auto nu = static_cast<Eigen::Index>(regressors.size());
    const auto ns = static_cast<Eigen::Index>(next_state.size());
    std::vector<int> columns = state;
    columns.push_back(static_cast<int>(n));
    const Eigen::MatrixXd rows = transition(next_state, columns);
    const Eigen::MatrixXd& joint = moments.covariance;
    const Eigen::MatrixXd cross_cov = joint.bottomLeftCorner(ns, nu);  // Cov(s', u)
    const Eigen::MatrixXd residual_cov =
        joint.bottomRightCorner(ns, ns) - rows * cross_cov.transpose() -
        cross_cov * rows.transpose() + rows * joint.topLeftCorner(nu, nu) * rows.transpose();
    const auto pp = static_cast<Eigen::Index>(std::find(next_state.begin(), next_state.end(), p) -
                                              next_state.begin());
    Eigen::MatrixXd noise = dynamics.noise_cov[t](next_state, next_state);
    noise.row(pp) = residual_cov.row(pp);
    noise.col(pp) = residual_cov.row(pp).transpose();
    noise(pp, pp) = std::max(residual_cov(pp, pp), 0.0);
    dynamics.noise_cov[t](next_state, next_state) = clip_to_psd(noise);
  });
}

}  // namespace l2o
