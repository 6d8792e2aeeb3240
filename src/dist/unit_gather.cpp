#include "dist/unit_gather.hpp"

#include <bit>
#include <string>

#include "dist/mpi_session.hpp"
#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"
#include "util/error.hpp"

namespace l2o {

std::vector<std::vector<std::uint64_t>> allgather_units(
    const std::vector<std::vector<std::uint64_t>>& owned, std::int64_t count) {
  const int ranks = world_size();
  std::vector<std::uint64_t> packed;  // per owned unit: length, then its words
  for (const auto& buffer : owned) {
    packed.push_back(buffer.size());
    packed.insert(packed.end(), buffer.begin(), buffer.end());
  }
  const std::vector<std::vector<std::uint64_t>> by_rank = allgather_words(packed);
  std::vector<std::vector<std::uint64_t>> units(static_cast<std::size_t>(count));
  for (int r = 0; r < ranks; ++r) {
    const std::vector<std::uint64_t>& words = by_rank[static_cast<std::size_t>(r)];
    std::size_t position = 0;
    for (const std::int64_t u : owned_units(count, r, ranks)) {
      if (position >= words.size() || words[position] > words.size() - position - 1) {
        throw SystemError("MPI: rank " + std::to_string(r) + " sent too few unit buffers");
      }
      const auto length = static_cast<std::ptrdiff_t>(words[position++]);
      units[static_cast<std::size_t>(u)].assign(words.begin() + position,
                                                words.begin() + position + length);
      position += static_cast<std::size_t>(length);
    }
    if (position != words.size()) {
      throw SystemError("MPI: rank " + std::to_string(r) + " sent more unit buffers than it owns");
    }
  }
  return units;
}

std::vector<Eigen::MatrixXd> allgather_unit_matrices(const std::vector<Eigen::MatrixXd>& owned,
                                                     std::int64_t count) {
  std::vector<std::vector<std::uint64_t>> buffers;
  for (const Eigen::MatrixXd& matrix : owned) {
    WordWriter writer;
    writer(matrix);
    buffers.push_back(writer.take());
  }
  const std::vector<std::vector<std::uint64_t>> gathered = allgather_units(buffers, count);
  std::vector<Eigen::MatrixXd> all(gathered.size());
  for (std::size_t u = 0; u < all.size(); ++u) {
    WordReader reader(gathered[u]);
    reader(all[u]);
  }
  return all;
}

std::vector<double> allgather_unit_values(const std::vector<double>& owned, std::int64_t count) {
  std::vector<std::vector<std::uint64_t>> buffers;
  for (const double value : owned) buffers.push_back({std::bit_cast<std::uint64_t>(value)});
  std::vector<double> values;
  for (const auto& buffer : allgather_units(buffers, count)) {
    if (buffer.size() != 1) throw SystemError("MPI: a unit value is not one word");
    values.push_back(std::bit_cast<double>(buffer.front()));
  }
  return values;
}

}  // namespace l2o
