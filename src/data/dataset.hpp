#pragma once
// A classification data set as stored on disk: raw 8-bit pixels (or, for a user's HDF5 file,
// real values) and integer labels.
#include <cstdint>
#include <string>
#include <vector>

namespace l2o {

/// Raw images (row-major, channels in the file's order) and labels of one split.
struct Dataset {
  std::string name;        ///< e.g. "mnist/train"
  std::int64_t count = 0;  ///< number of examples
  int rows = 0, cols = 0, channels = 1;
  int num_classes = 0;               ///< labels lie in [0, num_classes)
  std::vector<std::uint8_t> pixels;  ///< count * rows * cols * channels bytes, example-major
  /// Real-valued data instead of `pixels` (an HDF5 file's float images), same layout, unscaled.
  std::vector<float> real_pixels;
  bool real_valued = false;          ///< true: the examples are in real_pixels, pixels is empty
  std::vector<std::uint8_t> labels;  ///< count labels

  /// Pixels per example (rows * cols * channels).
  [[nodiscard]] std::int64_t example_size() const {
    return static_cast<std::int64_t>(rows) * cols * channels;
  }
};

}  // namespace l2o
