#include "data/catalog.hpp"

#include <cstdlib>
#include <filesystem>

#include "data/cifar_reader.hpp"
#include "data/class_count.hpp"
#include "data/file_bytes.hpp"
#include "data/hdf5_dataset_reader.hpp"
#include "data/idx_reader.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

bool exists_raw_or_gz(const std::string& path) {
  return std::filesystem::exists(path) || std::filesystem::exists(path + ".gz");
}

// The projection is fitted on whatever the training split holds, so another data set's file
// (FER2013's 48x48 faces under mnist/, say) would load and define a different task without a
// word: the image size must be the data set's own.
Dataset load_idx_dataset(const std::string& prefix, int num_classes, int side,
                         const std::string& name, const std::string& id) {
  const std::string images = prefix + "-images-idx3-ubyte";
  Dataset dataset = load_idx_pair(images, prefix + "-labels-idx1-ubyte", num_classes, id);
  if (dataset.rows != side || dataset.cols != side)
    throw InputError(resolve_data_file(images) + ": images are " + std::to_string(dataset.rows) +
                     "x" + std::to_string(dataset.cols) + " but " + name + " images are " +
                     std::to_string(side) + "x" + std::to_string(side) +
                     " (a file of another data set?); re-fetch it (scripts/get-data.sh verifies "
                     "sha256)");
  return dataset;
}

// "idx:<prefix>": a user's IDX pair, with its class count from the labels unless given. Errors
// name the file and end with where the layout is described.
Dataset load_user_idx(const std::string& prefix, const std::string& split, int num_classes) {
  const std::string id = "idx:" + prefix;
  if (split != "train")
    throw InputError(id +
                     ": an idx: data set has a training split only; for a test split use an "
                     "h5: file (docs/data.md)");
  const std::string images = prefix + "-images-idx3-ubyte";
  const std::string labels = prefix + "-labels-idx1-ubyte";
  for (const auto& file : {images, labels})
    if (!exists_raw_or_gz(file))
      throw InputError(file + ": no such file (nor " + file + ".gz); check task.dataset = \"" + id +
                       "\" (a path prefix relative to the working directory)");
  try {
    Dataset dataset =
        load_idx_pair(images, labels, num_classes > 0 ? num_classes : kMaxClasses, id + "/train");
    dataset.num_classes =
        resolve_class_count(dataset.labels, num_classes, resolve_data_file(labels));
    return dataset;
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + "; task.dataset = \"" + id +
                     "\" needs an IDX image/label pair (docs/data.md)");
  }
}

// task.num_classes describes a user's data set; for a built-in one it may only repeat the
// set's own count.
Dataset with_class_count(Dataset dataset, const std::string& name, int num_classes) {
  if (num_classes != 0 && num_classes != dataset.num_classes)
    throw InputError("task.num_classes = " + std::to_string(num_classes) + " but " + name +
                     " has " + std::to_string(dataset.num_classes) +
                     " classes; set it to 0 (it is for h5:/idx: data sets)");
  return dataset;
}

Dataset load_builtin_dataset(const std::string& data_dir, const std::string& name,
                             const std::string& split) {
  const std::string dir = data_dir + "/";
  const std::string id = name + "/" + split;
  if (name == "mnist") {
    const std::string prefix = dir + "mnist/" + (split == "train" ? "train" : "t10k");
    return load_idx_dataset(prefix, 10, 28, name, id);
  }
  if (name == "fer2013") {
    return load_idx_dataset(dir + "fer2013/" + split, 7, 48, name, id);
  }
  if (name == "cifar10") {
    std::vector<std::string> files;
    if (split == "test") {
      files.push_back(dir + "cifar10/test_batch.bin");
    } else {
      files.push_back(dir + "cifar10/data_batch_1.bin");  // required; the others if present
      for (int k = 2; k <= 5; ++k) {
        const std::string file = dir + "cifar10/data_batch_" + std::to_string(k) + ".bin";
        if (exists_raw_or_gz(file)) files.push_back(file);
      }
    }
    return load_cifar(files, CifarKind::cifar10, id);
  }
  if (name == "cifar100" || name == "cifar100_coarse") {
    const auto kind = name == "cifar100" ? CifarKind::cifar100_fine : CifarKind::cifar100_coarse;
    return load_cifar({dir + "cifar100/" + split + ".bin"}, kind, id);
  }
  std::string known;
  for (const auto& n : dataset_names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown dataset '" + name + "'; known: " + known +
                   ", or your own as h5:<file> or idx:<prefix>");
}

}  // namespace

std::string resolve_data_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv("L2O_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return "data";
}

Dataset load_dataset(const std::string& data_dir, const std::string& name, const std::string& split,
                     int num_classes) {
  if (split != "train" && split != "test")
    throw InputError("dataset split '" + split + "' is not one of: train, test");
  if (name.rfind("h5:", 0) == 0) return load_hdf5_dataset(name.substr(3), split, num_classes);
  if (name.rfind("idx:", 0) == 0) return load_user_idx(name.substr(4), split, num_classes);
  return with_class_count(load_builtin_dataset(data_dir, name, split), name, num_classes);
}

}  // namespace l2o
