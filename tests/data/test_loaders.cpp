// Every loader on the real files of ../shared/data: counts, first labels and a pixel checksum.
// The expected values come from an independent reader (numpy over gzip, see the data README)
// and the label distributions published in ../shared/data/README.md.
#include <catch2/catch.hpp>
#include <numeric>

#include "data/catalog.hpp"
#include "test_support.hpp"

namespace {

std::uint64_t pixel_sum(const l2o::Dataset& d) {
  return std::accumulate(d.pixels.begin(), d.pixels.end(), std::uint64_t{0});
}

std::vector<int> first_labels(const l2o::Dataset& d, int n) {
  return {d.labels.begin(), d.labels.begin() + n};
}

std::vector<int> label_counts(const l2o::Dataset& d) {
  std::vector<int> counts(d.num_classes, 0);
  for (auto label : d.labels) ++counts[label];
  return counts;
}

}  // namespace

TEST_CASE("MNIST train and test load with the published counts", "[data]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "mnist", "train");
  CHECK(train.count == 60000);
  CHECK(train.rows == 28);
  CHECK(train.cols == 28);
  CHECK(first_labels(train, 8) == std::vector<int>{5, 0, 4, 1, 9, 2, 1, 3});
  CHECK(pixel_sum(train) == 1567298545ULL);
  CHECK(label_counts(train) ==
        std::vector<int>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  const auto test = l2o::load_dataset(l2o::test::data_dir(), "mnist", "test");
  CHECK(test.count == 10000);
  CHECK(first_labels(test, 8) == std::vector<int>{7, 2, 1, 0, 4, 1, 4, 9});
  CHECK(pixel_sum(test) == 264923200ULL);
  CHECK(label_counts(test) ==
        std::vector<int>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
}

TEST_CASE("FER2013 (TFD stand-in) loads 48x48 faces with 7 classes", "[data]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "fer2013", "train");
  CHECK(train.count == 10000);
  CHECK(train.rows == 48);
  CHECK(train.num_classes == 7);
  CHECK(first_labels(train, 5) == std::vector<int>{0, 0, 2, 4, 6});
  // The first row of record 0 as quoted from fer2013.csv (data README §4).
  const std::vector<int> first_row{70, 80, 82, 72, 58, 58, 60, 63, 54, 58, 60, 48, 89, 115, 121};
  CHECK(std::vector<int>(train.pixels.begin(), train.pixels.begin() + 15) == first_row);
  CHECK(pixel_sum(train) == 2966773448ULL);
  CHECK(label_counts(train) == std::vector<int>{1413, 152, 1393, 2599, 1645, 1053, 1745});
  const auto test = l2o::load_dataset(l2o::test::data_dir(), "fer2013", "test");
  CHECK(test.count == 2000);
  CHECK(pixel_sum(test) == 593750364ULL);
}

TEST_CASE("CIFAR-10 binary batches load", "[data]") {
  const auto train = l2o::load_dataset(l2o::test::data_dir(), "cifar10", "train");
  CHECK(train.count == 10000);
  CHECK(train.channels == 3);
  CHECK(train.example_size() == 3072);
  CHECK(first_labels(train, 8) == std::vector<int>{6, 9, 9, 4, 1, 1, 2, 7});
  CHECK(pixel_sum(train) == 3718380578ULL);
  CHECK(label_counts(train) ==
        std::vector<int>{1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981});
  const auto test = l2o::load_dataset(l2o::test::data_dir(), "cifar10", "test");
  CHECK(test.count == 1000);
  CHECK(first_labels(test, 8) == std::vector<int>{3, 8, 8, 0, 6, 6, 1, 6});
  CHECK(pixel_sum(test) == 374560331ULL);
}

TEST_CASE("CIFAR-100 loads fine labels by default and coarse on request", "[data]") {
  const auto fine = l2o::load_dataset(l2o::test::data_dir(), "cifar100", "train");
  CHECK(fine.count == 10000);
  CHECK(fine.num_classes == 100);
  for (int i = 0; i < 300; ++i) REQUIRE(fine.labels[i] == i % 100);  // round-robin order
  CHECK(pixel_sum(fine) == 3743938749ULL);
  const auto coarse = l2o::load_dataset(l2o::test::data_dir(), "cifar100_coarse", "train");
  CHECK(coarse.num_classes == 20);
  CHECK(first_labels(coarse, 8) == std::vector<int>{4, 1, 14, 8, 0, 6, 7, 7});
  CHECK(label_counts(coarse) == std::vector<int>(20, 500));
  const auto test = l2o::load_dataset(l2o::test::data_dir(), "cifar100", "test");
  CHECK(test.count == 2000);
  CHECK(pixel_sum(test) == 747098384ULL);
}

TEST_CASE("unknown data set and split names are rejected with the known names", "[data]") {
  CHECK_THROWS_WITH(l2o::load_dataset(l2o::test::data_dir(), "svhn", "train"),
                    "unknown dataset 'svhn'; known: mnist, fer2013, cifar10, cifar100, "
                    "cifar100_coarse, or your own as h5:<file> or idx:<prefix>");
  CHECK_THROWS_WITH(l2o::load_dataset(l2o::test::data_dir(), "mnist", "valid"),
                    "dataset split 'valid' is not one of: train, test");
}
