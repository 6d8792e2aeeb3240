#include "gps/fit/dynamics_fit.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "gps/features/features.hpp"
#include "gps/fit/gmm_prior.hpp"
#include "gps/fit/niw_prior.hpp"

namespace l2o {

DynamicsPrior parse_dynamics_prior(std::string_view name) {
  if (name == "window") return DynamicsPrior::window;
  if (name == "gmm") return DynamicsPrior::gmm;
  throw std::invalid_argument("unknown dynamics prior \"" + std::string(name) +
                              "\"; use \"window\" or \"gmm\"");
}

void DynamicsFitParams::check() const {
  if (!(prior_count >= 0.0))
    throw std::invalid_argument("DynamicsFitParams.prior_count must be >= 0");
  if (window < 0) throw std::invalid_argument("DynamicsFitParams.window must be >= 0");
  if (!(ridge >= 0.0)) throw std::invalid_argument("DynamicsFitParams.ridge must be >= 0");
  if (!(initial_variance_floor > 0.0)) {
    throw std::invalid_argument("DynamicsFitParams.initial_variance_floor must be > 0");
  }
}

Eigen::MatrixXd clip_to_psd(const Eigen::MatrixXd& covariance) {
  if (Eigen::LLT<Eigen::MatrixXd>(covariance).info() == Eigen::Success) return covariance;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
  const Eigen::VectorXd clipped = eigen.eigenvalues().cwiseMax(0.0);
  Eigen::MatrixXd result =
      eigen.eigenvectors() * clipped.asDiagonal() * eigen.eigenvectors().transpose();
  return 0.5 * (result + result.transpose());
}

// s_{t+1} s_{t+1}^T of step t is the Gram of step t+1 (same recorded points).
GaussianMoments transition_moments(const TransitionStatistics& statistics, int first, int last,
                                   const std::vector<int>& regressors,
                                   const std::vector<int>& next_state) {
  const MomentSums& sums = statistics.sums();
  const int p = sums.u_columns();
  const int one = statistics.one_column();
  Eigen::MatrixXd gram(p, p);
  Eigen::MatrixXd next_gram(p, p);
  Eigen::MatrixXd cross(sums.v_columns(), p);
  sums.gram(first, last, gram);
  sums.gram(first + 1, last + 1, next_gram);
  sums.cross(first, last, cross);
  const auto nu = static_cast<Eigen::Index>(regressors.size());
  const auto ns = static_cast<Eigen::Index>(next_state.size());
  Eigen::VectorXd sum(nu + ns);
  Eigen::MatrixXd outer(nu + ns, nu + ns);
  sum.head(nu) = gram(regressors, one);
  sum.tail(ns) = cross(next_state, one);
  outer.topLeftCorner(nu, nu) = gram(regressors, regressors);
  outer.bottomLeftCorner(ns, nu) = cross(next_state, regressors);
  outer.topRightCorner(nu, ns) = outer.bottomLeftCorner(ns, nu).transpose();
  outer.bottomRightCorner(ns, ns) = next_gram(next_state, next_state);
  return moments_from_sums(sum, outer, gram(one, one));
}

namespace {

// The entries of full (2n+1)-dim moments over [s_t; a_t; s_{t+1}] at y = [s_t|I; a_t; s_{t+1}|I']
// (gps-spec.md §5.4: "restrict to the active indices"); a_t is index n of y.
GaussianMoments restrict_prior(const GaussianMoments& full, const std::vector<int>& regressors,
                               const std::vector<int>& next_state, int state_dim) {
  std::vector<int> indices = regressors;
  for (int i : next_state) indices.push_back(state_dim + 1 + i);
  return {full.mean(indices), full.covariance(indices, indices), full.count};
}

void fit_initial_state(const TransitionStatistics& statistics, const DynamicsFitParams& params,
                       const FitContext& context, LinearGaussianDynamics& dynamics) {
  const int p = statistics.sums().u_columns();
  const int n = statistics.state_dim();
  const int one = statistics.one_column();
  Eigen::MatrixXd gram(p, p);
  statistics.sums().gram(0, 0, gram);
  const double count = gram(one, one);
  if (!(count > 0.0)) throw FitError("initial state fit", context, 0, "no recorded points");
  dynamics.initial_mean = gram.col(one).head(n) / count;
  dynamics.initial_cov.setZero();
  const std::vector<int> active = active_set(0, n);
  for (int i : active) {  // §5.2: diagonal on A(0) only, unless the full covariance is asked for
    const double mean = dynamics.initial_mean(i);
    dynamics.initial_cov(i, i) =
        std::max(gram(i, i) / count - mean * mean, params.initial_variance_floor);
    if (!params.full_initial_covariance) continue;
    for (int k : active) {
      if (k != i) {
        dynamics.initial_cov(i, k) =
            gram(i, k) / count - dynamics.initial_mean(i) * dynamics.initial_mean(k);
      }
    }
  }
  if (!dynamics.initial_mean.allFinite() || !dynamics.initial_cov.allFinite()) {
    throw FitError("initial state fit", context, 0, "non-finite mean or covariance");
  }
}

}  // namespace

DynamicsFit fit_dynamics(const TransitionStatistics& statistics, const DynamicsFitParams& params,
                         const FitContext& context, const std::vector<GaussianMoments>* gmm_prior) {
  params.check();
  const int horizon = statistics.horizon();
  if (horizon < 2) throw std::invalid_argument("fit_dynamics: horizon must be >= 2");
  const bool use_gmm = params.prior == DynamicsPrior::gmm;
  if (use_gmm != (gmm_prior != nullptr)) {
    throw std::invalid_argument("fit_dynamics: GMM prior moments are given iff prior == gmm");
  }
  const int n = statistics.state_dim();
  const Eigen::Index point_dim = transition_point_dim(n);
  if (use_gmm) {
    bool consistent = static_cast<int>(gmm_prior->size()) == horizon - 1;
    for (const GaussianMoments& moments : *gmm_prior) {
      consistent = consistent && moments.mean.size() == point_dim &&
                   moments.covariance.rows() == point_dim && moments.covariance.cols() == point_dim;
    }
    if (!consistent) {
      throw std::invalid_argument("fit_dynamics: GMM prior needs T-1 moments of dimension " +
                                  std::to_string(point_dim));
    }
  }
  DynamicsFit fit{LinearGaussianDynamics(n, horizon), Eigen::VectorXd(horizon - 1),
                  Eigen::VectorXd(horizon - 1)};
  fit_initial_state(statistics, params, context, fit.dynamics);

  parallel_for_steps(horizon - 1, [&](int t) {
    const std::vector<int> state = active_set(t, n);
    const std::vector<int> next_state = active_set(t + 1, n);
    std::vector<int> regressors = state;
    regressors.push_back(statistics.action_column());
    const auto nu = static_cast<Eigen::Index>(regressors.size());

    // Prior window: every component used is active at every step of it (§5.1 step 2).
    const int first =
        std::max({t - params.window, last_activation_time(t), last_activation_time(t + 1) - 1});
    const int last = std::min(t + params.window, horizon - 2);
    const GaussianMoments empirical = transition_moments(statistics, t, t, regressors, next_state);
    const GaussianMoments prior =
        use_gmm
            ? restrict_prior((*gmm_prior)[static_cast<std::size_t>(t)], regressors, next_state, n)
            : transition_moments(statistics, first, last, regressors, next_state);

    ConditionalGaussian regression;
    try {
      regression = niw_regression(empirical, prior, params.prior_count, nu, params.ridge);
    } catch (const std::domain_error& error) {
      throw FitError("dynamics fit", context, t, error.what());
    }
    const Eigen::MatrixXd noise = clip_to_psd(regression.residual_covariance);
    if (!regression.gain.allFinite() || !regression.offset.allFinite() || !noise.allFinite()) {
      throw FitError("dynamics fit", context, t, "non-finite [A B], c or F");
    }
    // §5.1 step 5: embed into the full n-dim arrays; inactive rows/columns stay 0.
    Eigen::MatrixXd& transition = fit.dynamics.transition[t];
    transition(next_state, state) = regression.gain.leftCols(nu - 1);
    transition(next_state, n) = regression.gain.col(nu - 1);
    fit.dynamics.offset[t](next_state) = regression.offset;
    fit.dynamics.noise_cov[t](next_state, next_state) = noise;
    fit.input_rcond(t) = regression.input_rcond;
    fit.points(t) = empirical.count;
  });
  return fit;
}

}  // namespace l2o
