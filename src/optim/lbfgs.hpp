#pragma once
// Limited-memory BFGS (Nocedal & Wright Alg. 7.4 two-loop recursion, Alg. 7.5; H0 = gamma I with
// gamma = s'y / y'y of the newest pair, N&W eq. 7.20). Step length by Armijo backtracking on the
// iteration's minibatch (line_search.hpp). The curvature pair is measured on that same minibatch
// (s = x+ - x, y = g_B(x+) - g_B(x); the trials evaluate the gradient), as in online L-BFGS
// (Schraudolph, Yu & Guenter 2007), so y reflects curvature rather than minibatch noise. A pair
// with s'y <= curvature_epsilon |s| |y| is skipped (N&W §6.1, "skipping"), which keeps H positive
// definite; a failed line search clears the memory.
#include <string_view>

#include "optim/line_search.hpp"
#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Lbfgs.
struct LbfgsParameters {
  static constexpr std::string_view optimizer = "lbfgs";  ///< name for make_optimizer()
  ArmijoParameters line_search;     ///< backtracking rule (its initial_step is tuned)
  int memory = 10;                  ///< curvature pairs kept, m (>= 1)
  double curvature_epsilon = 1e-8;  ///< skip threshold on s'y / (|s| |y|), in [0, 1)

  /// Throws std::invalid_argument "lbfgs.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    ArmijoParameters::for_each(self.line_search, visit);
    visit("memory", self.memory);
    visit("curvature_epsilon", self.curvature_epsilon);
  }
};

/// L-BFGS. Per iteration: one loss+gradient call, then one loss+gradient call per Armijo trial.
class Lbfgs final : public ParameterizedOptimizer<LbfgsParameters> {
 public:
  /// Checks `parameters`.
  explicit Lbfgs(LbfgsParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  /// direction_ = -H gradient_ by the two-loop recursion over the stored pairs.
  void compute_direction();

  Eigen::MatrixXd steps_;               ///< column i: s_i (circular buffer of `memory` columns)
  Eigen::MatrixXd gradient_changes_;    ///< column i: y_i
  Eigen::VectorXd inverse_curvatures_;  ///< rho_i = 1 / s_i'y_i
  Eigen::VectorXd coefficients_;        ///< alpha_i of the two-loop recursion
  int stored_ = 0;                      ///< pairs in the buffer
  int newest_ = -1;                     ///< column of the newest pair
  Eigen::VectorXd gradient_;
  Eigen::VectorXd direction_;       ///< -H g; after the line search, the candidate s
  Eigen::VectorXd trial_;           ///< Armijo trial point
  Eigen::VectorXd trial_gradient_;  ///< gradient there; after the line search, the candidate y
};

}  // namespace l2o
