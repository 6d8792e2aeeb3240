#pragma once
// IDX files (LeCun's MNIST format; also used for the FER2013 stand-in): big-endian header
// `u32 magic, u32 dims...`, then unsigned bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace l2o {

/// Parses an IDX3 image file's bytes (magic 0x00000803); `origin` names the file in errors.
/// Fills count, rows, cols and pixels of `dataset`.
void parse_idx_images(const std::vector<std::uint8_t>& bytes, const std::string& origin,
                      Dataset& dataset);

/// Parses an IDX1 label file's bytes (magic 0x00000801) into `dataset.labels`; checks the count
/// against `dataset.count` and every label against `dataset.num_classes`.
void parse_idx_labels(const std::vector<std::uint8_t>& bytes, const std::string& origin,
                      Dataset& dataset);

/// Loads an image/label file pair (each raw or .gz) with `num_classes` classes.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      int num_classes, const std::string& name);

}  // namespace l2o
