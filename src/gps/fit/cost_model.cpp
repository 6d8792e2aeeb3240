#include "gps/fit/cost_model.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "gps/features/features.hpp"

namespace l2o {

std::string curvature_estimate_name(CurvatureEstimate estimate) {
  switch (estimate) {
    case CurvatureEstimate::secant:
      return "secant";
    case CurvatureEstimate::gradient:
      return "gradient";
    case CurvatureEstimate::objective:
      return "objective";
    case CurvatureEstimate::group_objective:
      return "group_objective";
  }
  throw std::logic_error("curvature_estimate_name: unknown CurvatureEstimate");
}

CurvatureEstimate parse_curvature_estimate(std::string_view name) {
  if (name == "secant") return CurvatureEstimate::secant;
  if (name == "gradient") return CurvatureEstimate::gradient;
  if (name == "objective") return CurvatureEstimate::objective;
  if (name == "group_objective") return CurvatureEstimate::group_objective;
  throw std::invalid_argument("unknown curvature estimate \"" + std::string(name) +
                              "\"; use \"secant\", \"gradient\", \"objective\" or "
                              "\"group_objective\"");
}

void CostModelParams::check() const {
  if (gradient_window < 0)
    throw std::invalid_argument("CostModelParams.gradient_window must be >= 0");
  if (curvature_window < 0) {
    throw std::invalid_argument("CostModelParams.curvature_window must be >= 0");
  }
  if (!(ridge >= 0.0)) throw std::invalid_argument("CostModelParams.ridge must be >= 0");
}

namespace {

struct GradientModel {
  Eigen::VectorXd weights;  // on the active components, then w_0 last
  double r_squared = 0.0;
  double rcond = 0.0;
};

// R^2 = 1 - SSE/SST of the gradient model `weights` on [s|A(t); 1], with
// SSE = sum g^2 - 2 w^T b + w^T N w (unridged N).
double gradient_r_squared(const Eigen::MatrixXd& gram, const std::vector<int>& regressors,
                          const Eigen::VectorXd& weights, const TransitionStatistics& columns) {
  const int one = columns.one_column();
  const int gradient = columns.gradient_column();
  const double points = gram(one, one);
  const double sum_g2 = gram(gradient, gradient);
  const double sum_g = gram(gradient, one);
  const Eigen::VectorXd rhs = gram(regressors, gradient);
  const Eigen::MatrixXd normal = gram(regressors, regressors);
  const double sse = sum_g2 - 2.0 * weights.dot(rhs) + weights.dot(normal * weights);
  const double sst = sum_g2 - sum_g * sum_g / points;
  return sst > 0.0 ? 1.0 - sse / sst : 0.0;
}

// §4 item 1: ridge regression of g on [s|A(t); 1] over the window's points; no ridge on w_0.
GradientModel fit_gradient_model(const Eigen::MatrixXd& gram, const std::vector<int>& regressors,
                                 double ridge, const TransitionStatistics& columns) {
  const auto n = static_cast<Eigen::Index>(regressors.size());
  const double points = gram(columns.one_column(), columns.one_column());
  Eigen::MatrixXd ridged = gram(regressors, regressors);
  ridged.diagonal().head(n - 1).array() += ridge * points;
  const Eigen::LLT<Eigen::MatrixXd> llt(ridged);
  if (llt.info() != Eigen::Success) {
    throw std::domain_error("gradient-model normal matrix is not positive definite");
  }
  GradientModel model;
  model.weights = llt.solve(gram(regressors, columns.gradient_column()));
  model.rcond = llt.rcond();
  return model;
}

// The privileged gradient's exact read-out g = sigma_p s_p (privileged_gradient.hpp).
GradientModel exact_gradient_model(const std::vector<int>& regressors,
                                   const PrivilegedGradient& privileged) {
  GradientModel model;
  model.weights = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(regressors.size()));
  const auto p = std::find(regressors.begin(), regressors.end(), privileged.component);
  if (p == regressors.end()) throw std::domain_error("the privileged gradient is not active");
  model.weights(p - regressors.begin()) = privileged.state_scale;
  model.rcond = 1.0;
  return model;
}

}  // namespace

CostModelFit fit_cost_model(const TransitionStatistics& statistics, double action_scale,
                            double normaliser, const CostModelParams& params,
                            const FitContext& context, const PrivilegedGradient* privileged,
                            const Eigen::VectorXd* given_curvature) {
  params.check();
  if (given_curvature != nullptr && given_curvature->size() != statistics.horizon()) {
    throw std::invalid_argument("fit_cost_model: the given curvature needs T entries");
  }
  if (!(action_scale > 0.0) || !(normaliser > 0.0)) {
    throw std::invalid_argument("fit_cost_model: action_scale and normaliser must be > 0");
  }
  const int horizon = statistics.horizon();
  const MomentSums& sums = statistics.sums();
  const int n = statistics.state_dim();  // also the index of the action in [s; a]
  const int action = statistics.action_column();
  const int one = statistics.one_column();
  CostModelFit fit{QuadraticCost(n, horizon),      RowMajorMatrixXd::Zero(horizon, n),
                   Eigen::VectorXd::Zero(horizon), Eigen::VectorXd::Zero(horizon),
                   Eigen::VectorXd::Zero(horizon), Eigen::VectorXd::Zero(horizon),
                   Eigen::VectorXd::Zero(horizon)};
  const int p = sums.u_columns();

  parallel_for_steps(horizon, [&](int t) {
    const std::vector<int> state = active_set(t, n);
    const auto n_state = static_cast<Eigen::Index>(state.size());
    Eigen::MatrixXd gram(p, p);
    Eigen::MatrixXd cross(sums.v_columns(), p);

    // 1. Gradient model on W^c_t (every point in it has A(t') containing A(t)).
    sums.gram(std::max(t - params.gradient_window, last_activation_time(t)),
              std::min(t + params.gradient_window, horizon - 1), gram);
    std::vector<int> regressors = state;
    regressors.push_back(one);
    GradientModel model;
    try {
      model = privileged != nullptr
                  ? exact_gradient_model(regressors, *privileged)
                  : fit_gradient_model(gram, regressors, params.ridge, statistics);
    } catch (const std::domain_error& error) {
      throw FitError("cost fit", context, t, error.what());
    }
    model.r_squared = gradient_r_squared(gram, regressors, model.weights, statistics);
    const Eigen::VectorXd w = model.weights.head(n_state);
    const double w0 = model.weights(n_state);

    // 2. Secant curvature on W^h_t: sum a_raw (g' - g) / sum a_raw^2 with a_raw = sigma_a a.
    const int first = std::max(t - params.curvature_window, 0);
    const int last = std::min(t + params.curvature_window, horizon - 1);
    sums.gram(first, last, gram);
    sums.cross(first, last, cross);
    const double sum_a2 = gram(action, action);
    const double sum_a_dg = cross(statistics.next_gradient_column(), action) -
                            gram(statistics.gradient_column(), action);
    double h = sum_a2 > 0.0 ? std::max(0.0, sum_a_dg / (action_scale * sum_a2)) : 0.0;
    const double sum_g2 = gram(statistics.gradient_column(), statistics.gradient_column());
    if (given_curvature != nullptr) h = (*given_curvature)(t);
    if (params.curvature == CurvatureEstimate::gradient && sum_g2 > 0.0) {
      // Along the cost-set gradient: sum g (H g) / sum g^2 over the same window.
      h = std::max(
          h, cross(statistics.gradient_curvature_column(), statistics.gradient_column()) / sum_g2);
    }

    // 3. Per-step cost in scaled units: gamma kappa [sigma_a a (w^T s + w0) + h sigma_a^2 a^2 / 2].
    const double weight = normaliser * static_cast<double>(horizon - t) / horizon;
    Eigen::MatrixXd& hessian = fit.cost.hessian[t];
    hessian(state, n) = weight * action_scale * w;
    hessian(n, state) = hessian(state, n).transpose();
    hessian(n, n) = weight * action_scale * action_scale * h;
    fit.cost.gradient[t](n) = weight * action_scale * w0;

    // Mean of l~_t over the points of step t alone (for gamma_g, §4 item 4).
    sums.gram(t, t, gram);
    const double step_points = gram(one, one);
    const double sum_cost =
        weight * (action_scale * (w.dot(gram(state, action)) + w0 * gram(action, one)) +
                  0.5 * h * action_scale * action_scale * gram(action, action));
    if (!hessian.allFinite() || !std::isfinite(fit.cost.gradient[t](n)) ||
        !std::isfinite(sum_cost)) {
      throw FitError("cost fit", context, t, "non-finite C_t, d_t or step cost");
    }
    fit.gradient_weights(t, state) = w.transpose();
    fit.gradient_offset(t) = w0;
    fit.curvature(t) = h;
    fit.gradient_r_squared(t) = model.r_squared;
    fit.normal_rcond(t) = model.rcond;
    fit.mean_step_cost(t) = sum_cost / step_points;
  });
  return fit;
}

double cost_normaliser(const CostModelFit& unit_normaliser_fit) {
  return 1.0 / std::max(1e-30, unit_normaliser_fit.mean_step_cost.cwiseAbs().mean());
}

double meta_loss(std::span<const double> true_objective) {
  double total = 0.0;
  for (std::size_t t = 1; t < true_objective.size(); ++t) total += true_objective[t];
  return total;
}

double telescoped_meta_loss(double initial_objective, std::span<const double> step_improvements) {
  const auto horizon = static_cast<double>(step_improvements.size());
  double total = horizon * initial_objective;
  for (std::size_t t = 0; t < step_improvements.size(); ++t) {
    total += (horizon - static_cast<double>(t)) * step_improvements[t];
  }
  return total;
}

double trapezoid_improvement(const Eigen::Ref<const Eigen::VectorXd>& step,
                             const Eigen::Ref<const Eigen::VectorXd>& gradient,
                             const Eigen::Ref<const Eigen::VectorXd>& next_gradient) {
  return 0.5 * step.dot(gradient + next_gradient);
}

}  // namespace l2o
