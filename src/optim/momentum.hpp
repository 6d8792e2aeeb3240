#pragma once
// Momentum in torch.optim.SGD's formulation (dampening 0, no weight decay), with the buffer b
// starting at 0 so that the first step's b = g as in torch:
//   b <- mu b + g;   x <- x - lr b            (heavy ball, Polyak 1964)
//   x <- x - lr (g + mu b)                    (Nesterov, Sutskever et al. 2013 form used by torch)
#include <string_view>

#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Momentum.
struct MomentumParameters {
  static constexpr std::string_view optimizer = "momentum";  ///< name for make_optimizer()
  double learning_rate = 0.01;  ///< step length lr (> 0); torch has no default, this one is ours
  double momentum = 0.9;        ///< momentum factor mu, in [0, 1)
  bool nesterov = false;        ///< Nesterov's variant instead of the heavy ball

  /// Throws std::invalid_argument "momentum.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("learning_rate", self.learning_rate);
    visit("momentum", self.momentum);
    visit("nesterov", self.nesterov);
  }
};

/// SGD with heavy-ball or Nesterov momentum; one oracle call per iteration.
class Momentum final : public ParameterizedOptimizer<MomentumParameters> {
 public:
  /// Checks `parameters`.
  explicit Momentum(MomentumParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
  Eigen::VectorXd buffer_;  ///< momentum buffer b
};

}  // namespace l2o
