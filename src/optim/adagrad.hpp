#pragma once
// AdaGrad (Duchi, Hazan & Singer 2011, diagonal form) exactly as torch.optim.Adagrad 1.13 computes
// it (lr_decay 0, no weight decay), with eps added after the square root:
//   s <- s + g^2   (s starts at initial_accumulator);   x <- x - lr g / (sqrt(s) + eps)
#include <string_view>

#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Adagrad; defaults are torch's.
struct AdagradParameters {
  static constexpr std::string_view optimizer = "adagrad";  ///< name for make_optimizer()
  double learning_rate = 1e-2;                              ///< lr (> 0)
  double initial_accumulator = 0.0;                         ///< starting value of s (>= 0)
  double epsilon = 1e-10;                                   ///< added to the denominator (> 0)

  /// Throws std::invalid_argument "adagrad.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("learning_rate", self.learning_rate);
    visit("initial_accumulator", self.initial_accumulator);
    visit("epsilon", self.epsilon);
  }
};

/// AdaGrad; one oracle call per iteration.
class Adagrad final : public ParameterizedOptimizer<AdagradParameters> {
 public:
  /// Checks `parameters`.
  explicit Adagrad(AdagradParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
  Eigen::VectorXd accumulator_;  ///< s, the running sum of squared gradients
};

}  // namespace l2o
