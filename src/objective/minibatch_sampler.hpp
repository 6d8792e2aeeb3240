#pragma once
// Minibatches drawn without replacement within an epoch: epoch e is a permutation of the
// examples from stream (seed, "minibatch", e), cut into floor(count / batch) batches (the
// remainder of each epoch is dropped), so batch t is a pure function of (seed, t).
#include <cstdint>
#include <vector>

namespace l2o {

/// Random-access sequence of minibatches of one run.
class MinibatchSampler {
 public:
  MinibatchSampler(std::int64_t example_count, int batch_size, std::uint64_t seed);

  /// Example indices of minibatch `iteration` (0-based); valid until the next call.
  const std::vector<int>& batch(std::int64_t iteration);

  [[nodiscard]] int batch_size() const { return batch_size_; }

 private:
  std::int64_t example_count_;
  int batch_size_;
  std::uint64_t seed_;
  std::int64_t batches_per_epoch_;
  std::int64_t permuted_epoch_ = -1;
  std::vector<int> permutation_;
  std::vector<int> batch_;
};

}  // namespace l2o
