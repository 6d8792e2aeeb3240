#include "gps/statistics_reduction.hpp"

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

bool reduce_to_owner(MomentSums& sums, int owner) {
  const std::vector<std::vector<std::uint64_t>> buffers = gather_words_to(owner, sums.serialize());
  if (world_rank() != owner) return false;
  // Merged in rank order; the integer sums make the order irrelevant to the result.
  MomentSums total(sums.steps(), sums.u_columns(), sums.v_columns());
  for (const auto& buffer : buffers) total.merge(MomentSums::deserialize(buffer));
  sums = std::move(total);
  return true;
}

}  // namespace l2o
