#include "gps/fit/statistics_reduction.hpp"

#include <stdexcept>
#include <string>

#include "dist/word_gather.hpp"

namespace l2o {

int group_owner(int group, int ranks) {
  if (group < 0 || ranks < 1) {
    throw std::invalid_argument("group_owner: need group >= 0 and ranks >= 1, got group " +
                                std::to_string(group) + ", ranks " + std::to_string(ranks));
  }
  return group % ranks;
}

namespace {

// The total of every rank's serialised sums, merged in rank order (the integer sums make the
// order irrelevant to the result).
MomentSums merged(const MomentSums& shape, const std::vector<std::vector<std::uint64_t>>& buffers) {
  MomentSums total(shape.steps(), shape.u_columns(), shape.v_columns());
  for (const auto& buffer : buffers) total.merge(MomentSums::deserialize(buffer));
  return total;
}

}  // namespace

bool reduce_to_owner(MomentSums& sums, int owner) {
  if (world_size() == 1 && owner == 0) return true;  // the partial sums are the total
  const std::vector<std::vector<std::uint64_t>> buffers = gather_words_to(owner, sums.serialize());
  if (world_rank() != owner) return false;
  sums = merged(sums, buffers);
  return true;
}

void reduce_to_all(MomentSums& sums) {
  if (world_size() == 1) return;
  sums = merged(sums, allgather_words(sums.serialize()));
}

}  // namespace l2o
