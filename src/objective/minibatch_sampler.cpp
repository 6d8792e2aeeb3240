#include "objective/minibatch_sampler.hpp"

#include <numeric>

#include "util/error.hpp"
#include "util/random_stream.hpp"

namespace l2o {

MinibatchSampler::MinibatchSampler(std::int64_t example_count, int batch_size, std::uint64_t seed)
    : example_count_(example_count), batch_size_(batch_size), seed_(seed) {
  if (batch_size < 1 || batch_size > example_count)
    throw InputError("task.batch_size must be in [1, " + std::to_string(example_count) +
                     "] (the number of training examples), got " + std::to_string(batch_size));
  batches_per_epoch_ = example_count / batch_size;
  permutation_.resize(static_cast<std::size_t>(example_count));
  batch_.resize(static_cast<std::size_t>(batch_size));
}

const std::vector<int>& MinibatchSampler::batch(std::int64_t iteration) {
  const std::int64_t epoch = iteration / batches_per_epoch_;
  if (epoch != permuted_epoch_) {
    std::iota(permutation_.begin(), permutation_.end(), 0);
    RandomStream stream(seed_, "minibatch", {static_cast<std::uint64_t>(epoch)});
    stream.shuffle(permutation_);
    permuted_epoch_ = epoch;
  }
  const std::int64_t start = (iteration % batches_per_epoch_) * batch_size_;
  std::copy(permutation_.begin() + start, permutation_.begin() + start + batch_size_,
            batch_.begin());
  return batch_;
}

}  // namespace l2o
