// libFuzzer target: an IDX image file and its label file, each raw or gzip, through the readers
// l2o loads MNIST and FER2013 with (inflate_if_gzip, parse_idx_images, parse_idx_labels).
// Input layout: u8 class count, u32 little-endian length L of the image file (clamped to what is
// left), L bytes of the image file, the rest is the label file.
// Bad bytes must give InputError; anything else (another exception, a crash, a sanitizer report,
// a data set that breaks its own invariants) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "data/file_bytes.hpp"
#include "data/idx_reader.hpp"
#include "dataset_invariants.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return -1;  // not in the layout; keep it out of the corpus
  const int num_classes = data[0];
  const std::size_t stated = std::size_t{data[1]} | std::size_t{data[2]} << 8 |
                             std::size_t{data[3]} << 16 | std::size_t{data[4]} << 24;
  const std::uint8_t* rest = data + 5;
  const std::size_t image_size = stated < size - 5 ? stated : size - 5;
  const std::vector<std::uint8_t> image_file(rest, rest + image_size);
  const std::vector<std::uint8_t> label_file(rest + image_size, data + size);

  l2o::Dataset dataset;
  dataset.name = "fuzz/idx";
  dataset.num_classes = num_classes;
  try {
    l2o::parse_idx_images(l2o::inflate_if_gzip(image_file, "images"), "images", dataset);
    l2o::parse_idx_labels(l2o::inflate_if_gzip(label_file, "labels"), "labels", dataset);
  } catch (const l2o::InputError&) {
    return 0;
  }
  if (!(dataset.rows > 0 && dataset.cols > 0 && dataset.channels == 1)) std::abort();
  l2o::fuzz::require_consistent(dataset);
  return 0;
}
