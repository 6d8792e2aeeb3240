// The word collectives of gps-spec.md §14 under mpiexec -n 2: units spread over ranks come back
// in unit order on every rank bit for bit (also when a rank owns none), a broadcast replaces the
// other ranks' buffer, and the time spent in them is counted.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "dist/communication_time.hpp"
#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

TEST_CASE("allgather_units: every unit's buffer in unit order on every rank", "[dist][mpi]") {
  const int rank = l2o::world_rank(), ranks = l2o::world_size();
  REQUIRE(ranks == 2);
  const double before = l2o::communication_seconds();
  for (const std::int64_t count : {std::int64_t{7}, std::int64_t{1}, std::int64_t{0}}) {
    INFO(count << " units");
    // Unit u: u + 1 words (lengths differ), the doubles u + k / 3 and a NaN payload at the end.
    const auto words_of = [](std::int64_t u) {
      l2o::WordWriter writer;
      for (std::int64_t k = 0; k < u; ++k) writer(static_cast<double>(u) + k / 3.0);
      writer(std::bit_cast<double>(std::uint64_t{0x7ff8000000000abcULL} + u));
      return writer.take();
    };
    std::vector<std::vector<std::uint64_t>> owned;
    std::vector<double> owned_values;
    for (const std::int64_t u : l2o::owned_units(count, rank, ranks)) {
      owned.push_back(words_of(u));
      owned_values.push_back(1.0 / (3.0 + static_cast<double>(u)));
    }
    const auto all = l2o::allgather_units(owned, count);
    REQUIRE(static_cast<std::int64_t>(all.size()) == count);
    for (std::int64_t u = 0; u < count; ++u) CHECK(all[u] == words_of(u));
    const std::vector<double> values = l2o::allgather_unit_values(owned_values, count);
    REQUIRE(static_cast<std::int64_t>(values.size()) == count);
    for (std::int64_t u = 0; u < count; ++u)
      CHECK(values[u] == 1.0 / (3.0 + static_cast<double>(u)));
  }
  CHECK(l2o::communication_seconds() > before);
}

TEST_CASE("broadcast_words: the root's buffer everywhere, a matrix bit for bit", "[dist][mpi]") {
  REQUIRE(l2o::world_size() == 2);
  for (const int root : {0, 1}) {
    Eigen::MatrixXd sent(3, 2);
    sent << 1.0 / 3.0, -0.0, std::numeric_limits<double>::denorm_min(), 1e300, -7.5, 2.0;
    l2o::WordWriter writer;
    if (l2o::world_rank() == root) {
      writer(sent);
      writer(root + 40);
    } else {
      writer(Eigen::MatrixXd::Zero(1, 1).eval());  // a different length, replaced
    }
    std::vector<std::uint64_t> words = writer.take();
    l2o::broadcast_words(root, words);
    l2o::WordReader reader(words);
    Eigen::MatrixXd received;
    int tag = 0;
    reader(received);
    reader(tag);
    CHECK(reader.at_end());
    CHECK(tag == root + 40);
    REQUIRE(received.rows() == 3);
    REQUIRE(received.cols() == 2);
    for (Eigen::Index i = 0; i < sent.size(); ++i)
      CHECK(std::bit_cast<std::uint64_t>(received.data()[i]) ==
            std::bit_cast<std::uint64_t>(sent.data()[i]));
  }
}

TEST_CASE("allgather_units: a rank sending the wrong number of buffers is an error",
          "[dist][mpi]") {
  REQUIRE(l2o::world_size() == 2);
  // 3 units: rank 0 owns 0 and 2, rank 1 owns 1; every rank claims just one buffer.
  const std::vector<std::vector<std::uint64_t>> one{{42}};
  CHECK_THROWS(l2o::allgather_units(one, 3));
}
