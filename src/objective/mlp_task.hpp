#pragma once
// A training task = an MLP on a preprocessed data set with a minibatch size: the base objective
// f(x) = mean cross-entropy over the training set (+ L2), its minibatch estimates, and the
// full-set "true objective" the paper plots (Li & Malik 2017 §4).
#include <Eigen/Core>
#include <memory>
#include <vector>

#include "data/projection.hpp"
#include "objective/minibatch_oracle.hpp"
#include "objective/minibatch_sampler.hpp"
#include "objective/mlp.hpp"

namespace l2o {

/// Examples in fixed chunks of this many rows are the unit of the true objective's parallel
/// reduction: chunk sums are added in chunk order, so results do not depend on thread count.
inline constexpr Eigen::Index kTrueObjectiveChunk = 512;

/// The MLP on a data set.
class MlpTask {
 public:
  MlpTask(std::shared_ptr<const ProjectedData> train, Mlp mlp, int batch_size);

  [[nodiscard]] const Mlp& mlp() const { return mlp_; }
  [[nodiscard]] const ProjectedData& train() const { return *train_; }
  [[nodiscard]] int batch_size() const { return batch_size_; }
  [[nodiscard]] Eigen::Index dimension() const { return mlp_.dimension(); }

  /// Mean loss over the whole training set plus L2; the gradient too if `gradient` is not
  /// null. OpenMP over fixed chunks; bitwise identical for any OMP_NUM_THREADS.
  double true_objective(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                        Eigen::VectorXd* gradient = nullptr) const;

  /// Mean loss (plus L2) of the examples `rows`; gradient too if `gradient` is not null.
  double batch_objective(const Eigen::Ref<const Eigen::VectorXd>& parameters,
                         const std::vector<int>& rows, double* gradient,
                         MlpWorkspace& workspace) const;

  /// The minibatch sequence of a run with this seed.
  [[nodiscard]] MinibatchSampler sampler(std::uint64_t seed) const {
    return {static_cast<std::int64_t>(train_->labels.size()), batch_size_, seed};
  }

 private:
  std::shared_ptr<const ProjectedData> train_;
  Mlp mlp_;
  int batch_size_;
};

/// The oracle of one minibatch of an MlpTask: what an optimizer sees during one iteration.
class MlpMinibatchOracle final : public MinibatchOracle {
 public:
  explicit MlpMinibatchOracle(const MlpTask& task) : task_(task) {}
  /// Binds the oracle to the example indices of the next iteration's minibatch.
  void set_batch(const std::vector<int>& rows) { rows_ = &rows; }

  [[nodiscard]] Eigen::Index dimension() const override { return task_.dimension(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override;
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override;

 private:
  const MlpTask& task_;
  const std::vector<int>* rows_ = nullptr;
  MlpWorkspace workspace_;
};

}  // namespace l2o
