#pragma once
// psi of the "es" local optimizer (issue 19, docs/gps-design.md "ES local optimizer"): a small,
// scale-free controller family per parameter group that contains tuned AdaGrad and RMSprop
// exactly. Per group g and step t, with the minibatch gradient g_t:
//   m <- beta m + (1 - beta) g_t                      (momentum; beta = 0 gives m = g_t exactly)
//   v <- rho v + w g_t^2                               (rho = 1, w = 1: AdaGrad's running sum;
//                                                       rho = alpha, w = 1 - alpha: RMSprop)
//   x <- x - lr_g(t) m / (sqrt(v) + eps)               (optim/moment_direction.hpp)
//   lr_g(t) = base_rate * exp(l_g(t)) * (n_g / n_ref,g)^(-a_g),
//             l_g log-linear between knots at log-spaced times, n_g the group's parameter count,
//             n_ref,g its count in the training net (optim/size_scaling.hpp)
// The step is scale-free (invariant to a constant rescaling of the objective) apart from eps.
// With every l_g = 0 and a_g = 0 the rate is base_rate bit for bit (exp(0) = 1, x^-0 = 1), so the
// exact start is a member. base_rate, w, eps and n_ref are fixed by the start; the search moves
// (l_g at the knots, beta, rho, a_g) per group, beta and rho clamped to the ranges below.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "objective/mlp.hpp"
#include "optim/moment_direction.hpp"
#include "optim/optimizer.hpp"
#include "optim/size_scaling.hpp"

namespace l2o {

/// Largest momentum beta psi may use (beyond it the effective step grows without bound).
inline constexpr double kEsMaxMomentum = 0.99;
/// Smallest second-moment decay rho psi may use (a window of ~2 steps).
inline constexpr double kEsMinDecay = 0.5;

/// The searched part of psi for one group.
struct EsGroupController {
  std::vector<double> log_rate;  ///< l_g at the knots (0 = base_rate)
  double momentum = 0.0;         ///< beta, clamped to [0, kEsMaxMomentum] when applied
  double decay = 1.0;            ///< rho, clamped to [kEsMinDecay, 1] when applied
  SizeScaling size;              ///< a_g and n_ref,g
};

/// psi: the fixed start-dependent constants and one EsGroupController per group.
struct EsController {
  double base_rate = 0.1;             ///< the tuned optimizer's learning rate (> 0)
  double second_moment_weight = 1.0;  ///< w: 1 (AdaGrad) or 1 - alpha (RMSprop), in (0, 1]
  double epsilon = 1e-10;             ///< eps (> 0)
  std::vector<double> knot_times;     ///< increasing, first 0; lr is held beyond the last
  std::vector<EsGroupController> groups;

  /// Throws std::invalid_argument naming the first bad field; `group_count` groups expected.
  void check(std::size_t group_count) const;
  /// l_g(t) of group g: linear in log(1 + t) between the knots, constant beyond them.
  [[nodiscard]] double log_rate_at(std::size_t group, double t) const;
};

/// `knots` times log-spaced in 1 + t from 0 to `horizon`: t_k = (1 + horizon)^(k/(K-1)) - 1
/// (one knot: {0}, a constant rate).
std::vector<double> es_knot_times(int knots, int horizon);

/// Sets every group's n_ref to its parameter count in `groups` (the training net's).
void set_reference_sizes(EsController& psi, const std::vector<ParameterGroup>& groups);

/// The member equal to AdaGrad (adagrad.hpp) with `learning_rate` and `epsilon` for every group.
EsController adagrad_controller(double learning_rate, double epsilon,
                                const std::vector<double>& knot_times, std::size_t group_count);
/// The member equal to RMSprop (rmsprop.hpp) with `learning_rate`, `alpha`, `epsilon`.
EsController rmsprop_controller(double learning_rate, double alpha, double epsilon,
                                const std::vector<double>& knot_times, std::size_t group_count);

/// psi's direction constants per group: beta and rho clamped to their ranges, psi's w and eps.
std::vector<MomentDirection> es_directions(const EsController& psi);

/// psi as an ordinary optimizer: one gradient call per iteration, the recurrence above per
/// group. Needs start(groups) with as many groups as psi has.
class EsOptimizer final : public Optimizer {
 public:
  /// Throws std::invalid_argument if `controller` fails check() for its own group count.
  explicit EsOptimizer(EsController controller);

  [[nodiscard]] std::string name() const override { return "es"; }
  /// base_rate, second_moment_weight, epsilon, then per group g "g<g>.log_rate<k>",
  /// "g<g>.momentum", "g<g>.decay", "g<g>.size_exponent".
  [[nodiscard]] HyperparameterList hyperparameters() const override;
  /// Throws std::invalid_argument unless `groups` has psi's number of groups.
  void check_groups(const std::vector<ParameterGroup>& groups) const override;
  [[nodiscard]] const EsController& controller() const { return controller_; }
  /// The current run's moments m, v and step count (state_vector.hpp), to continue it later with
  /// restore_run_state() after start() on the same groups. Throws std::logic_error before
  /// start().
  [[nodiscard]] Eigen::VectorXd run_state() const;
  /// Continues the run saved by run_state(); throws std::invalid_argument if it does not fit.
  void restore_run_state(const Eigen::VectorXd& state);

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  EsController controller_;
  std::vector<MomentDirection> directions_;  // es_directions(controller_)
  std::vector<double> size_factors_;         // (n_g / n_ref,g)^(-a_g) of the started groups
  Eigen::VectorXd gradient_;
  Eigen::VectorXd first_moment_;   // m
  Eigen::VectorXd second_moment_;  // v
  std::int64_t step_ = 0;          // t of the next step
};

}  // namespace l2o
