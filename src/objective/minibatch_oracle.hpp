#pragma once
// The one thing an optimizer may ask of the base objective during an iteration: the loss (and
// gradient) on the iteration's fixed minibatch. An iteration consumes exactly one fresh minibatch
// (the paper's x-axis); line searches call the oracle again on the same minibatch, and the
// oracle counts those calls so they can be reported.
#include <Eigen/Core>
#include <cstdint>

namespace l2o {

/// Loss and gradient of one fixed minibatch (or of a deterministic function, in tests).
class MinibatchOracle {
 public:
  virtual ~MinibatchOracle() = default;
  /// Number of parameters d.
  [[nodiscard]] virtual Eigen::Index dimension() const = 0;
  /// Loss at x.
  virtual double loss(const Eigen::Ref<const Eigen::VectorXd>& x) = 0;
  /// Loss at x; writes the gradient into `gradient` (size d).
  virtual double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                               Eigen::Ref<Eigen::VectorXd> gradient) = 0;
  /// Calls of loss() plus loss_gradient() since construction or the last reset_counts().
  [[nodiscard]] std::int64_t evaluations() const { return evaluations_; }
  void reset_counts() { evaluations_ = 0; }

 protected:
  std::int64_t evaluations_ = 0;  ///< incremented by every implementation's loss/loss_gradient
};

}  // namespace l2o
