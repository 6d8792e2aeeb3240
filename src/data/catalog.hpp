#pragma once
// Where each supported data set lives under the data directory and how to read it.
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace l2o {

/// The data sets l2o knows by name: the meta-training task and the paper's unseen tasks.
inline const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"mnist", "fer2013", "cifar10", "cifar100",
                                                 "cifar100_coarse"};
  return names;
}

/// Loads split "train" or "test" of data set `name` (files raw or .gz). A built-in name is
/// read from `data_dir`: mnist/ and fer2013/ in IDX form, cifar10/ and cifar100/ in CIFAR
/// binary form ("cifar100" uses the fine labels, "cifar100_coarse" the 20 superclasses); for
/// cifar10's training split every data_batch_k.bin present (k = 1..5) is read, in order.
/// A user's data set (docs/data.md) is "h5:<file>" (load_hdf5_dataset) or "idx:<prefix>"
/// (<prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte, a training split only), paths
/// relative to the working directory; `num_classes` is task.num_classes (0: from the labels;
/// for a built-in set it must be 0 or the set's own count).
Dataset load_dataset(const std::string& data_dir, const std::string& name, const std::string& split,
                     int num_classes = 0);

/// The data directory: `explicit_dir` if non-empty, else $L2O_DATA_DIR, else "data".
std::string resolve_data_dir(const std::string& explicit_dir);

}  // namespace l2o
