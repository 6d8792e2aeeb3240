#include "gps/fit/statistics_reduction.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dist/word_gather.hpp"

namespace l2o {

std::vector<int> group_owners(std::span<const Eigen::Index> recorded_points, int ranks) {
  if (ranks < 1) {
    throw std::invalid_argument("group_owners: need ranks >= 1, got " + std::to_string(ranks));
  }
  std::vector<std::size_t> order(recorded_points.size());
  for (std::size_t g = 0; g < order.size(); ++g) {
    if (recorded_points[g] < 0) {
      throw std::invalid_argument("group_owners: group " + std::to_string(g) +
                                  " has a negative point count");
    }
    order[g] = g;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return recorded_points[a] > recorded_points[b];
  });
  std::vector<Eigen::Index> load(static_cast<std::size_t>(ranks), 0);
  std::vector<int> owners(recorded_points.size());
  for (const std::size_t g : order) {
    const auto lightest = std::min_element(load.begin(), load.end());  // first of equal loads
    *lightest += recorded_points[g];
    owners[g] = static_cast<int>(lightest - load.begin());
  }
  return owners;
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
