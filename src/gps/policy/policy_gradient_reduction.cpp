#include "gps/policy/policy_gradient_reduction.hpp"

#include <stdexcept>

#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

namespace l2o {

std::vector<Eigen::Index> owned_blocks(Eigen::Index blocks) {
  const std::vector<std::int64_t> units = owned_units(blocks, world_rank(), world_size());
  return {units.begin(), units.end()};
}

std::vector<PolicyBlockGradient> allgather_block_gradients(std::vector<PolicyBlockGradient> owned,
                                                           Eigen::Index blocks) {
  if (static_cast<Eigen::Index>(owned.size()) !=
      static_cast<Eigen::Index>(owned_blocks(blocks).size())) {
    throw std::invalid_argument("allgather_block_gradients: results do not match the owned blocks");
  }
  if (world_size() == 1) return owned;  // every block is here already, in block order
  std::vector<std::vector<std::uint64_t>> buffers;
  for (const PolicyBlockGradient& block : owned) {
    WordWriter writer;
    writer(block.half_squared_error);
    writer(block.gradient);
    buffers.push_back(writer.take());
  }
  std::vector<PolicyBlockGradient> all(static_cast<std::size_t>(blocks));
  const std::vector<std::vector<std::uint64_t>> gathered = allgather_units(buffers, blocks);
  for (std::size_t b = 0; b < all.size(); ++b) {
    WordReader reader(gathered[b]);
    reader(all[b].half_squared_error);
    reader(all[b].gradient);
  }
  return all;
}

}  // namespace l2o
