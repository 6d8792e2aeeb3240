#pragma once
// RMSprop (Tieleman & Hinton 2012, lecture 6.5) exactly as torch.optim.RMSprop 1.13 computes it
// (not centered, no momentum, no weight decay), with eps added after the square root:
//   r <- alpha r + (1-alpha) g^2   (r starts at 0);   x <- x - lr g / (sqrt(r) + eps)
#include <string_view>

#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Rmsprop; defaults are torch's.
struct RmspropParameters {
  static constexpr std::string_view optimizer = "rmsprop";  ///< name for make_optimizer()
  double learning_rate = 1e-2;                              ///< lr (> 0)
  double alpha = 0.99;    ///< decay of the running mean square, in [0, 1)
  double epsilon = 1e-8;  ///< added to the denominator (> 0)

  /// Throws std::invalid_argument "rmsprop.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("learning_rate", self.learning_rate);
    visit("alpha", self.alpha);
    visit("epsilon", self.epsilon);
  }
};

/// RMSprop; one oracle call per iteration.
class Rmsprop final : public ParameterizedOptimizer<RmspropParameters> {
 public:
  /// Checks `parameters`.
  explicit Rmsprop(RmspropParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
  Eigen::VectorXd mean_square_;  ///< r
};

}  // namespace l2o
