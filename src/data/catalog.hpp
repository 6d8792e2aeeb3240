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

/// Loads split "train" or "test" of data set `name` from `data_dir` (files raw or .gz):
/// mnist/ and fer2013/ in IDX form, cifar10/ and cifar100/ in CIFAR binary form
/// ("cifar100" uses the fine labels, "cifar100_coarse" the 20 superclasses). For cifar10's
/// training split every data_batch_k.bin present (k = 1..5) is read, in order.
Dataset load_dataset(const std::string& data_dir, const std::string& name,
                     const std::string& split);

/// The data directory: `explicit_dir` if non-empty, else $L2O_DATA_DIR, else "data".
std::string resolve_data_dir(const std::string& explicit_dir);

}  // namespace l2o
