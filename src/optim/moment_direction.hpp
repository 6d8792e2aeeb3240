#pragma once
// The scale-free direction shared by psi of the ES path (gps/es/es_controller.hpp) and by the
// relative output of the learned policy (gps/policy/relative_output.hpp), per coordinate:
//   m <- beta m + (1 - beta) g,   v <- rho v + w g^2,   step = -rate m / (sqrt(v) + eps).
// beta = 0, rho = w = 1 is AdaGrad's direction and beta = 0, rho = alpha, w = 1 - alpha
// RMSprop's, with the expressions of adagrad.cpp and rmsprop.cpp, so those members are exact.
// The direction is invariant to a constant rescaling of the objective (apart from eps).
#include <Eigen/Core>

namespace l2o {

/// The constants of the recurrence for one parameter group.
struct MomentDirection {
  double momentum = 0.0;              ///< beta in [0, 1)
  double decay = 1.0;                 ///< rho in (0, 1]
  double second_moment_weight = 1.0;  ///< w in (0, 1]
  double epsilon = 1e-10;             ///< eps > 0

  /// Advances the moments `m`, `v` (Eigen arrays of one group) by the gradient `g` and returns
  /// rate m / (sqrt(v) + eps), the length of the descent step, as an expression of them (evaluate
  /// it before they change again). `rate` is a number or an array (a rate per coordinate); it
  /// multiplies m first, as adagrad.cpp multiplies g, so the AdaGrad member rounds identically.
  template <class Rate, class Gradient, class First, class Second>
  auto advance(const Rate& rate, const Gradient& g, First& m, Second& v) const {
    m = momentum * m + (1.0 - momentum) * g;
    v = decay * v + second_moment_weight * g.square();
    return rate * m / (v.sqrt() + epsilon);
  }
};

}  // namespace l2o
