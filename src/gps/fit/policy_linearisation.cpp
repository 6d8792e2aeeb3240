#include "gps/fit/policy_linearisation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "gps/features/features.hpp"
#include "gps/fit/niw_prior.hpp"

namespace l2o {

void PolicyLinearisationParams::check() const {
  if (!(prior_count >= 0.0)) {
    throw std::invalid_argument("PolicyLinearisationParams.prior_count must be >= 0");
  }
  if (window < 0) throw std::invalid_argument("PolicyLinearisationParams.window must be >= 0");
  if (!(ridge >= 0.0)) throw std::invalid_argument("PolicyLinearisationParams.ridge must be >= 0");
  if (!(policy_variance >= 0.0)) {
    throw std::invalid_argument("PolicyLinearisationParams.policy_variance must be >= 0");
  }
}

namespace {

// Moments of y = [s|A(t); mu] over steps first..last.
GaussianMoments policy_moments(const PolicyStatistics& statistics, int first, int last,
                               const std::vector<int>& variables) {
  const int one = statistics.one_column();
  Eigen::MatrixXd gram(statistics.sums().u_columns(), statistics.sums().u_columns());
  statistics.sums().gram(first, last, gram);
  return moments_from_sums(gram(variables, one), gram(variables, variables), gram(one, one));
}

}  // namespace

PolicyLinearisationFit fit_policy_linearisation(const PolicyStatistics& statistics,
                                                const PolicyLinearisationParams& params,
                                                const FitContext& context) {
  params.check();
  const int horizon = statistics.horizon();
  const int n = statistics.state_dim();
  PolicyLinearisationFit fit{LinearGaussianPolicy(n, horizon), Eigen::VectorXd::Zero(horizon)};
  parallel_for_steps(horizon, [&](int t) {
    const std::vector<int> state = active_set(t, n);
    std::vector<int> variables = state;
    variables.push_back(statistics.policy_mean_column());
    const auto n_state = static_cast<Eigen::Index>(state.size());
    const GaussianMoments empirical = policy_moments(statistics, t, t, variables);
    const GaussianMoments prior =
        policy_moments(statistics, std::max(t - params.window, last_activation_time(t)),
                       std::min(t + params.window, horizon - 1), variables);
    ConditionalGaussian regression;
    try {
      regression = niw_regression(empirical, prior, params.prior_count, n_state, params.ridge);
    } catch (const std::domain_error& error) {
      throw FitError("policy linearisation", context, t, error.what());
    }
    const double variance = regression.residual_covariance(0, 0) + params.policy_variance;
    if (!regression.gain.allFinite() || !std::isfinite(regression.offset(0)) ||
        !std::isfinite(variance)) {
      throw FitError("policy linearisation", context, t, "non-finite Kbar, kbar or Sbar");
    }
    fit.linearisation.gain(t, state) = regression.gain.row(0);
    fit.linearisation.bias(t) = regression.offset(0);
    fit.linearisation.variance(t) = variance;
    fit.state_rcond(t) = regression.input_rcond;
  });
  return fit;
}

}  // namespace l2o
