#pragma once
// What L2L meta-training needs of a task (gps-spec.md §16.2): an initial point x^(0) ~ D, a
// fresh minibatch oracle B_t for every step t = 0..T of one episode, and the true objective f on
// the cost set (§1.1), which validation measures.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>

#include "objective/minibatch_oracle.hpp"

namespace l2o {

/// One episode of an optimisee task.
class L2lEpisode {
 public:
  virtual ~L2lEpisode() = default;
  /// Number of parameters d of the optimisee.
  [[nodiscard]] virtual Eigen::Index dimension() const = 0;
  /// Writes x^(0) (length d).
  virtual void initial_point(Eigen::Ref<Eigen::VectorXd> x) = 0;
  /// The oracle of step t's minibatch B_t (t = 0..T); valid until the next call.
  virtual MinibatchOracle& oracle(Eigen::Index step) = 0;
  /// The true objective f(x) on the cost set (§1.1; deterministic, no minibatch).
  virtual double true_objective(const Eigen::Ref<const Eigen::VectorXd>& x) = 0;
};

/// Episode number -> episode; must be deterministic in its argument (reproducible training).
using L2lEpisodeFactory = std::function<std::unique_ptr<L2lEpisode>(std::int64_t episode)>;

}  // namespace l2o
