#pragma once
// Adam (Kingma & Ba 2015, Alg. 1) exactly as torch.optim.Adam 1.13 computes it (amsgrad off, no
// weight decay), with eps added after the bias-corrected square root:
//   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
//   x <- x - (lr / (1-b1^t)) m / (sqrt(v) / sqrt(1-b2^t) + eps)
#include <cstdint>
#include <string_view>

#include "optim/parameterized_optimizer.hpp"

namespace l2o {

/// Hyperparameters of Adam; defaults are torch's.
struct AdamParameters {
  static constexpr std::string_view optimizer = "adam";  ///< name for make_optimizer()
  double learning_rate = 1e-3;                           ///< lr (> 0)
  double beta1 = 0.9;                                    ///< first-moment decay, in [0, 1)
  double beta2 = 0.999;                                  ///< second-moment decay, in [0, 1)
  double epsilon = 1e-8;                                 ///< added to the denominator (> 0)

  /// Throws std::invalid_argument "adam.<field> must be ..." on an out-of-range field.
  void check() const;
  /// Calls visit(name, field) for every field (hyperparameters.hpp).
  template <class Self, class Visitor>
  static void for_each(Self& self, Visitor&& visit) {
    visit("learning_rate", self.learning_rate);
    visit("beta1", self.beta1);
    visit("beta2", self.beta2);
    visit("epsilon", self.epsilon);
  }
};

/// Adam's per-run state, for checkpointing a long run (L2L meta-training) and resuming it.
struct AdamState {
  Eigen::VectorXd first_moment;   ///< m
  Eigen::VectorXd second_moment;  ///< v
  std::int64_t iteration = 0;     ///< t, the number of steps taken
};

/// Adam; one oracle call per iteration.
class Adam final : public ParameterizedOptimizer<AdamParameters> {
 public:
  /// Checks `parameters`.
  explicit Adam(AdamParameters parameters = {}) : ParameterizedOptimizer(parameters) {}

  /// The moments and step count after the steps so far (valid after start()).
  [[nodiscard]] AdamState state() const { return {first_moment_, second_moment_, iteration_}; }
  /// Continues from `state` as if its steps had been taken here; call after start(d). Throws
  /// std::invalid_argument unless both moments have length d and the step count is >= 0.
  void restore(const AdamState& state);

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  Eigen::VectorXd gradient_;
  Eigen::VectorXd first_moment_;   ///< m
  Eigen::VectorXd second_moment_;  ///< v
  std::int64_t iteration_ = 0;     ///< t, counted from 1 at the first step
};

}  // namespace l2o
