// Each optimizer drives a convex quadratic to its closed-form minimiser; CG with the exact line
// search has the finite-termination property of linear CG (Nocedal & Wright Thm. 5.2).
#include <Eigen/Cholesky>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "optim/function_oracles.hpp"
#include "optim/make_optimizer.hpp"

namespace l2o::test {

TEST_CASE("every optimizer drives a convex quadratic to its minimiser", "[optim]") {
  // f = 0.5 x'Ax - b'x, eigenvalues of A evenly in [1, 10]; minimiser A^-1 b.
  const Eigen::Index n = 8;
  LogCoshQuadraticOracle oracle(spd_matrix(Eigen::VectorXd::LinSpaced(n, 1.0, 10.0), 11),
                                normal_vector(n, 12), 0.0);
  const Eigen::VectorXd minimiser = oracle.a().llt().solve(oracle.b());
  REQUIRE(minimiser.lpNorm<Eigen::Infinity>() > 0.3);  // the start x = 0 is far from it

  struct Case {
    std::string optimizer;
    std::map<std::string, double> hyperparameters;
    double tolerance;
  };
  // Tolerances: SGD, momentum and AdaGrad converge linearly for these step sizes (lr < 2/L), so to
  // rounding. CG and L-BFGS accept steps by comparing losses, which resolve x only to about
  // sqrt(machine eps) ~ 1e-8 near the minimiser. Adam and RMSprop with a constant lr end up
  // hovering around the minimiser within about one step, whose per-coordinate length is at most
  // lr (1-beta1)/sqrt(1-beta2) (Kingma & Ba §2.1) and lr/sqrt(1-alpha) (since r >= (1-alpha)g^2).
  const std::vector<Case> cases = {
      {"sgd", {{"learning_rate", 0.1}}, 1e-10},
      {"momentum", {{"learning_rate", 0.05}, {"momentum", 0.5}}, 1e-10},
      {"momentum", {{"learning_rate", 0.05}, {"momentum", 0.5}, {"nesterov", 1}}, 1e-10},
      {"cg", {}, 1e-6},
      {"lbfgs", {}, 1e-6},
      {"adagrad", {{"learning_rate", 0.5}}, 1e-10},
      {"adam", {{"learning_rate", 0.01}}, 0.01 * 0.1 / std::sqrt(0.001)},
      {"adam", {{"learning_rate", 0.1}}, 0.1 * 0.1 / std::sqrt(0.001)},
      {"rmsprop", {{"learning_rate", 0.001}}, 0.001 / std::sqrt(0.01)},
      {"rmsprop", {{"learning_rate", 0.01}}, 0.01 / std::sqrt(0.01)},
  };
  for (const Case& c : cases) {
    const auto optimizer = make_optimizer(c.optimizer, c.hyperparameters);
    INFO(c.optimizer << ", learning rate or initial step "
                     << optimizer->hyperparameters()[0].second);
    optimizer->start(n);
    Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
    double worst_late_error = 0.0;  // over the last 100 iterations, to catch a limit cycle
    for (int t = 0; t < 3000; ++t) {
      optimizer->step(x, oracle);
      if (t >= 2900) {
        worst_late_error = std::max(worst_late_error, (x - minimiser).lpNorm<Eigen::Infinity>());
      }
    }
    CHECK(worst_late_error <= c.tolerance);
  }
}

TEST_CASE("CG with the exact line search solves an n-dimensional quadratic in n iterations",
          "[optim]") {
  // Distinct eigenvalues in [1, 100]: steepest descent or a truncated CG run is far from done
  // after n/2 iterations (CG error bound 2((sqrt(k)-1)/(sqrt(k)+1))^10 ~ 0.27 for k = 100), but
  // conjugacy makes the n-th iterate the minimiser up to rounding.
  const Eigen::Index n = 20;
  LogCoshQuadraticOracle oracle(spd_matrix(Eigen::VectorXd::LinSpaced(n, 1.0, 100.0), 21),
                                normal_vector(n, 22), 0.0);
  const Eigen::VectorXd minimiser = oracle.a().llt().solve(oracle.b());
  const auto optimizer = make_optimizer("cg", {{"exact_line_search", 1}});
  optimizer->start(n);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  const double initial_error = minimiser.norm();
  for (Eigen::Index k = 1; k <= n; ++k) {
    const StepReport report = optimizer->step(x, oracle);
    CHECK(report.evaluations == 2);  // gradient at x, gradient at x + d
    CHECK_FALSE(report.line_search_failed);
    if (k == n / 2) CHECK((x - minimiser).norm() > 1e-3 * initial_error);
  }
  CHECK((x - minimiser).norm() <= 1e-9 * initial_error);
}

}  // namespace l2o::test
