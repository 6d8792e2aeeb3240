#pragma once
// Nonlinear conjugate gradient, Polak-Ribiere+ (Nocedal & Wright eqs. 5.44-5.45, Gilbert & Nocedal
// 1992):  beta = max(0, g_k'(g_k - g_{k-1}) / |g_{k-1}|^2),  d_k = -g_k + beta d_{k-1}.
// Automatic restart: beta clipped at 0, and d_k = -g_k whenever d_k is not a descent direction or
// the previous line search failed. Step length by Armijo backtracking on the iteration's minibatch
// (line_search.hpp). In the minibatch setting g_{k-1} is the previous iteration's minibatch
// gradient, as a textbook CG run on a stream of minibatches would use it.
#include <string_view>

#include "optim/line_search.hpp"
#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of ConjugateGradient.
struct ConjugateGradientParameters {
  static constexpr std::string_view optimizer = "cg";  ///< name for make_optimizer()
  ArmijoParameters line_search;    ///< backtracking rule (its initial_step is tuned)
  bool exact_line_search = false;  ///< instead, quadratic_exact_step(): for tests on quadratics

  /// Throws std::invalid_argument "cg.<field> must be ..." on an out-of-range field.
  void check() const { line_search.check(optimizer); }
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    ArmijoParameters::for_each(self.line_search, visit);
    visit("exact_line_search", self.exact_line_search);
  }
};

/// Polak-Ribiere+ conjugate gradient. Per iteration: one loss+gradient call, then one loss call
/// per Armijo trial (or one loss+gradient call for the exact quadratic step).
class ConjugateGradient final : public ParameterizedOptimizer<ConjugateGradientParameters> {
 public:
  /// Checks `parameters`.
  explicit ConjugateGradient(ConjugateGradientParameters parameters = {})
      : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
  Eigen::VectorXd previous_gradient_;
  Eigen::VectorXd direction_;  ///< d_k, kept for the next iteration
  Eigen::VectorXd trial_;
  Eigen::VectorXd workspace_;   ///< gradient at x + d for the exact quadratic step
  bool has_direction_ = false;  ///< false: the next direction is steepest descent
};

}  // namespace l2o
