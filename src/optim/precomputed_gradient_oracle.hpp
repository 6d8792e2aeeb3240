#pragma once
// Hands a gradient computed elsewhere (the L2L meta-gradient of gps-spec.md §16.2, the policy-loss
// gradient of §8.4, a PyTorch model's gradient in the Python package) to an l2o::Optimizer such
// as Adam, so those trainings use the very Adam (torch's formula) the harness compares against
// instead of a second implementation.
#include <Eigen/Core>

#include "objective/minibatch_oracle.hpp"

namespace l2o {

/// A MinibatchOracle whose gradient is the caller's vector, whatever x is. It refers to (does not
/// copy) that vector, which must outlive it and is updated by the caller before every optimizer
/// step. The loss it reports is `loss` (0 by default: callers that report losses track them
/// themselves; the learned optimizers' features read it).
class PrecomputedGradientOracle final : public MinibatchOracle {
 public:
  explicit PrecomputedGradientOracle(const Eigen::VectorXd& gradient, double loss = 0.0)
      : gradient_(gradient), loss_(loss) {}
  [[nodiscard]] Eigen::Index dimension() const override { return gradient_.size(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& /*x*/) override {
    ++evaluations_;
    return loss_;
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& /*x*/,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    gradient = gradient_;
    return loss_;
  }

 private:
  const Eigen::VectorXd& gradient_;
  double loss_;
};

}  // namespace l2o
