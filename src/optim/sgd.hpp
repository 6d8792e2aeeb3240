#pragma once
// Stochastic gradient descent: x <- x - lr * g (torch.optim.SGD without momentum or weight decay).
#include <string_view>

#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Sgd.
struct SgdParameters {
  static constexpr std::string_view optimizer = "sgd";  ///< name for make_optimizer()
  double learning_rate = 0.01;  ///< step length lr (> 0); torch has no default, this one is ours

  /// Throws std::invalid_argument "sgd.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("learning_rate", self.learning_rate);
  }
};

/// Plain (minibatch) gradient descent; one oracle call per iteration.
class Sgd final : public ParameterizedOptimizer<SgdParameters> {
 public:
  /// Checks `parameters`.
  explicit Sgd(SgdParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
};

}  // namespace l2o
