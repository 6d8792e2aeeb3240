#pragma once
// A user's data set in one HDF5 file (task.dataset = "h5:<file>", docs/data.md):
//   /train/images  uint8 or float, N x D, N x H x W or N x H x W x C
//   /train/labels  integer, N, classes 0..K-1
//   /test/images, /test/labels  optional, the same per-example shape
// Shapes, types and the memory needed are checked before anything is read, the labels before the
// images: a wrong file gets one line naming it, the object and the fix.
#include <string>

#include "data/dataset.hpp"

namespace l2o {

/// Loads split "train" or "test" of the HDF5 data file `path`. `num_classes` 0 takes K from
/// the training labels (their maximum + 1; every class 0..K-1 must occur in train), else labels
/// must lie in [0, num_classes). Loading train also checks a /test split's shapes and types.
/// 8-bit images fill `pixels`, float images `real_pixels` (read as 32-bit floats).
Dataset load_hdf5_dataset(const std::string& path, const std::string& split, int num_classes);

}  // namespace l2o
