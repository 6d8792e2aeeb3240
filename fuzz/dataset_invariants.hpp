#pragma once
// What the rest of l2o assumes of a data set a reader accepted; the data-reader fuzz targets abort
// (a finding) when an accepted file breaks it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "data/dataset.hpp"

namespace l2o::fuzz {

/// Aborts unless pixels (or real values) and labels match the stated count and shape and every
/// label is a class. (An IDX file may hold no examples; the CIFAR target requires some, as its
/// reader does.)
inline void require_consistent(const Dataset& dataset) {
  const auto values = static_cast<std::size_t>(dataset.count * dataset.example_size());
  const bool consistent =
      dataset.example_size() > 0 &&
      (dataset.real_valued ? dataset.real_pixels.size() == values && dataset.pixels.empty()
                           : dataset.pixels.size() == values && dataset.real_pixels.empty()) &&
      dataset.labels.size() == static_cast<std::size_t>(dataset.count);
  if (!consistent) std::abort();
  for (const std::uint8_t label : dataset.labels)
    if (label >= dataset.num_classes) std::abort();
}

}  // namespace l2o::fuzz
