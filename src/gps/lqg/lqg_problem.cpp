#include "gps/lqg/lqg_problem.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

namespace {

void require(bool condition, const std::string& field, const std::string& expectation) {
  if (!condition) throw std::invalid_argument("LqgProblem." + field + ": " + expectation);
}

void check_policy_shape(const LinearGaussianPolicy& policy, const std::string& name, Eigen::Index n,
                        Eigen::Index horizon) {
  require(policy.gain.rows() == horizon && policy.gain.cols() == n, name + ".gain",
          "must be T x n = " + std::to_string(horizon) + " x " + std::to_string(n));
  require(policy.bias.size() == horizon, name + ".bias", "must have T entries");
  require(policy.variance.size() == horizon, name + ".variance", "must have T entries");
}

template <class Matrix>
void require_finite(const Matrix& value, const LqgContext& context, Eigen::Index t,
                    const std::string& field) {
  if (!value.allFinite()) throw LqgError(context, t, field + " contains a non-finite value");
}

void validate_policy(const LinearGaussianPolicy& policy, const std::string& name,
                     const LqgContext& context) {
  for (Eigen::Index t = 0; t < policy.horizon(); ++t) {
    require_finite(policy.gain.row(t), context, t, name + ".gain");
    if (!std::isfinite(policy.bias(t))) throw LqgError(context, t, name + ".bias is not finite");
    if (!(policy.variance(t) > 0.0) || !std::isfinite(policy.variance(t))) {
      throw LqgError(context, t,
                     name + ".variance must be finite and positive, got " +
                         std::to_string(policy.variance(t)));
    }
  }
}

}  // namespace

void LqgProblem::check_shapes() const {
  require(dynamics != nullptr, "dynamics", "is required");
  require(cost != nullptr, "cost", "is required");
  const Eigen::Index n = dynamics->state_dim();
  const Eigen::Index horizon = cost->horizon();
  require(n > 0, "dynamics.initial_mean", "must have the state dimension n > 0");
  require(horizon > 0, "cost.hessian", "must have T > 0 entries");
  require(dynamics->horizon() == horizon, "dynamics.transition", "must have T-1 entries");
  require(static_cast<Eigen::Index>(dynamics->offset.size()) == horizon - 1, "dynamics.offset",
          "must have T-1 entries");
  require(static_cast<Eigen::Index>(dynamics->noise_cov.size()) == horizon - 1,
          "dynamics.noise_cov", "must have T-1 entries");
  require(dynamics->initial_cov.rows() == n && dynamics->initial_cov.cols() == n,
          "dynamics.initial_cov", "must be n x n");
  for (Eigen::Index t = 0; t + 1 < horizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    require(dynamics->transition[i].rows() == n && dynamics->transition[i].cols() == n + 1,
            "dynamics.transition[" + std::to_string(t) + "]", "must be n x (n+1)");
    require(dynamics->offset[i].size() == n, "dynamics.offset[" + std::to_string(t) + "]",
            "must have n entries");
    require(dynamics->noise_cov[i].rows() == n && dynamics->noise_cov[i].cols() == n,
            "dynamics.noise_cov[" + std::to_string(t) + "]", "must be n x n");
  }
  require(static_cast<Eigen::Index>(cost->gradient.size()) == horizon, "cost.gradient",
          "must have T entries");
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    require(cost->hessian[i].rows() == n + 1 && cost->hessian[i].cols() == n + 1,
            "cost.hessian[" + std::to_string(t) + "]", "must be (n+1) x (n+1)");
    require(cost->gradient[i].size() == n + 1, "cost.gradient[" + std::to_string(t) + "]",
            "must have n+1 entries");
  }
  if (anchor != nullptr) check_policy_shape(*anchor, "anchor", n, horizon);
  if (duals != nullptr) {
    require(linearisation != nullptr, "linearisation", "is required when duals are given");
    require(duals->lambda.size() == horizon, "duals.lambda", "must have T entries");
    require(duals->nu.size() == horizon, "duals.nu", "must have T entries");
  }
  if (linearisation != nullptr) check_policy_shape(*linearisation, "linearisation", n, horizon);
  if (active != nullptr) {
    require(active->rows() == horizon && active->cols() == n, "active", "must be T x n");
  }
}

void LqgProblem::validate(const LqgContext& context) const {
  check_shapes();
  const Eigen::Index horizon = cost->horizon();
  require_finite(dynamics->initial_mean, context, 0, "dynamics.initial_mean");
  require_finite(dynamics->initial_cov, context, 0, "dynamics.initial_cov");
  for (Eigen::Index t = 0; t + 1 < horizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    require_finite(dynamics->transition[i], context, t, "dynamics.transition");
    require_finite(dynamics->offset[i], context, t, "dynamics.offset");
    require_finite(dynamics->noise_cov[i], context, t, "dynamics.noise_cov");
  }
  for (Eigen::Index t = 0; t < horizon; ++t) {
    const auto i = static_cast<std::size_t>(t);
    require_finite(cost->hessian[i], context, t, "cost.hessian");
    require_finite(cost->gradient[i], context, t, "cost.gradient");
  }
  if (anchor != nullptr) validate_policy(*anchor, "anchor", context);
  if (linearisation != nullptr) validate_policy(*linearisation, "linearisation", context);
  if (duals != nullptr) {
    for (Eigen::Index t = 0; t < horizon; ++t) {
      if (!std::isfinite(duals->lambda(t)))
        throw LqgError(context, t, "duals.lambda is not finite");
      if (!(duals->nu(t) >= 0.0) || !std::isfinite(duals->nu(t))) {
        throw LqgError(context, t, "duals.nu must be finite and >= 0");
      }
    }
  }
}

}  // namespace l2o
