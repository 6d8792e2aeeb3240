// The word buffers of the dist collectives (word_archive.hpp): every field type round-trips bit
// for bit in the order written, and a short buffer is an error, not garbage.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

TEST_CASE("word archive: doubles, integers, flags and matrices round-trip bitwise", "[dist]") {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor gain(2, 3);
  gain << 1, 2, 3, 4, 5, 6;
  const std::vector<Eigen::VectorXd> list{Eigen::VectorXd::LinSpaced(4, -1.0, 1.0),
                                          Eigen::VectorXd()};
  const double nan = std::bit_cast<double>(std::uint64_t{0x7ff80000000000ffULL});
  l2o::WordWriter writer;
  writer(-0.0);
  writer(nan);
  writer(std::int64_t{-5});
  writer(7);
  writer(true);
  writer(gain);
  writer(list);
  const std::vector<std::uint64_t> words = writer.take();
  CHECK(words.size() == 5 + (2 + 6) + (1 + (2 + 4) + 2));

  l2o::WordReader reader(words);
  double zero = 1.0, payload = 0.0;
  std::int64_t negative = 0;
  int seven = 0;
  bool flag = false;
  RowMajor gain_back;
  std::vector<Eigen::VectorXd> list_back;
  reader(zero);
  reader(payload);
  reader(negative);
  reader(seven);
  reader(flag);
  reader(gain_back);
  reader(list_back);
  CHECK(reader.at_end());
  CHECK(std::signbit(zero));
  CHECK(std::bit_cast<std::uint64_t>(payload) == std::bit_cast<std::uint64_t>(nan));
  CHECK(negative == -5);
  CHECK(seven == 7);
  CHECK(flag);
  CHECK(gain_back == gain);
  REQUIRE(list_back.size() == 2);
  CHECK(list_back[0] == list[0]);
  CHECK(list_back[1].size() == 0);

  l2o::WordReader short_reader(std::span<const std::uint64_t>(words.data(), 6));
  for (int i = 0; i < 5; ++i) short_reader(zero);
  CHECK_THROWS_AS(short_reader(gain_back), std::invalid_argument);
}

TEST_CASE("word collectives without MPI_Init: one rank, local copies", "[dist]") {
  CHECK(l2o::world_rank() == 0);
  CHECK(l2o::world_size() == 1);
  const std::vector<std::uint64_t> words{1, 2, 3};
  CHECK(l2o::allgather_words(words) == std::vector<std::vector<std::uint64_t>>{words});
  CHECK(l2o::gather_words_to(0, words) == std::vector<std::vector<std::uint64_t>>{words});
  std::vector<std::uint64_t> copy = words;
  l2o::broadcast_words(0, copy);
  CHECK(copy == words);
}
