#pragma once
// The local cost model of gps-spec.md §4: the meta-loss telescoped into per-step improvements,
// attributed to coordinates by the trapezoid rule, with a pooled ridge model of the true
// gradient, a secant curvature and a per-group normaliser.
#include <Eigen/Core>
#include <span>
#include <string>
#include <string_view>

#include "gps/fit/fit_error.hpp"
#include "gps/fit/privileged_gradient.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/lqg/linear_gaussian.hpp"

namespace l2o {

/// Which curvature h_t the cost charges a step with (docs/gps-design.md "Curvature along the
/// gradient"). `secant` is §4 item 2: sum a_raw (g' - g) / sum a_raw^2 along the sampling policy's
/// joint move, which minibatch and exploration noise dominate. `gradient` takes the larger of it
/// and the curvature along the cost-set gradient, sum g (H g) / sum g^2 over the same window
/// (needs the records' gradient_curvatures): a new controller that follows the gradient more
/// closely moves along that direction, where the objective is 2-15x more curved. `objective`
/// takes h_t from the realised change of the objective (objective_curvature.hpp), given by the
/// caller.
enum class CurvatureEstimate { secant, gradient, objective, group_objective };

/// "secant", "gradient" or "objective" (the config value).
std::string curvature_estimate_name(CurvatureEstimate estimate);
/// The inverse of curvature_estimate_name; throws std::invalid_argument on any other name.
CurvatureEstimate parse_curvature_estimate(std::string_view name);

/// Hyperparameters of the cost fit (gps-spec.md §13).
struct CostModelParams {
  int gradient_window = 2;   ///< W_c: half-width of the gradient-model window, >= 0
  int curvature_window = 5;  ///< W_h: half-width of the curvature window, >= 0
  double ridge = 1e-3;       ///< rho_w: ridge per point on the gradient weights, >= 0
  CurvatureEstimate curvature = CurvatureEstimate::secant;  ///< h_t's estimate
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// The fitted per-step costs and the model behind them.
struct CostModelFit {
  QuadraticCost cost;                  ///< C_t, d_t in scaled units, t = 0..T-1
  RowMajorMatrixXd gradient_weights;   ///< T x n: w_t (scaled state -> raw true gradient)
  Eigen::VectorXd gradient_offset;     ///< T: w_{0,t}
  Eigen::VectorXd curvature;           ///< T: h_t >= 0 (raw units)
  Eigen::VectorXd gradient_r_squared;  ///< T: R^2 of the gradient model on its window
  Eigen::VectorXd normal_rcond;        ///< T: reciprocal condition estimate of the normal matrix
  Eigen::VectorXd mean_step_cost;      ///< T: (1/P_t) sum over points of l~_t(s, a)
};

/// Fits the cost for t = 0..T-1 (parallel over t) with action scale sigma_a and normaliser
/// gamma_g (§4 items 1-3). With `privileged` the gradient model is the exact read-out
/// w_t = sigma_p e_p, w_{0,t} = 0 of the privileged gradient (privileged_gradient.hpp) instead of
/// item 1's ridge regression; R^2 is still measured. With `given_curvature` (T entries,
/// CurvatureEstimate::objective or group_objective) h_t is taken from it instead of item 2. Throws
/// FitError naming group, iteration and step on failure.
CostModelFit fit_cost_model(const TransitionStatistics& statistics, double action_scale,
                            double normaliser, const CostModelParams& params,
                            const FitContext& context,
                            const PrivilegedGradient* privileged = nullptr,
                            const Eigen::VectorXd* given_curvature = nullptr);

/// gamma_g = 1 / max(1e-30, mean_t |mean_step_cost_t|) from a fit made with gamma = 1 (§4 item 4).
double cost_normaliser(const CostModelFit& unit_normaliser_fit);

/// The paper's meta-loss sum_{t=1}^T f(x^(t)) of one rollout from f_0..f_T ([GPS]'s `cs`).
double meta_loss(std::span<const double> true_objective);

/// The telescoped form T f_0 + sum_t (T-t) Delta f_t of the meta-loss (§4), given the per-step
/// improvements Delta f_0..Delta f_{T-1}.
double telescoped_meta_loss(double initial_objective, std::span<const double> step_improvements);

/// Trapezoid attribution sum_j a_j (g_t + g_{t+1})_j / 2 of one step's improvement (§4);
/// exact for a quadratic objective.
double trapezoid_improvement(const Eigen::Ref<const Eigen::VectorXd>& step,
                             const Eigen::Ref<const Eigen::VectorXd>& gradient,
                             const Eigen::Ref<const Eigen::VectorXd>& next_gradient);

}  // namespace l2o
