#include "data/catalog.hpp"

#include <cstdlib>
#include <filesystem>

#include "data/cifar_reader.hpp"
#include "data/idx_reader.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

bool exists_raw_or_gz(const std::string& path) {
  return std::filesystem::exists(path) || std::filesystem::exists(path + ".gz");
}

}  // namespace

std::string resolve_data_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv("L2O_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return "data";
}

Dataset load_dataset(const std::string& data_dir, const std::string& name,
                     const std::string& split) {
  if (split != "train" && split != "test")
    throw InputError("dataset split '" + split + "' is not one of: train, test");
  const std::string dir = data_dir + "/";
  const std::string id = name + "/" + split;
  if (name == "mnist") {
    const std::string prefix = dir + "mnist/" + (split == "train" ? "train" : "t10k");
    return load_idx_pair(prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte", 10, id);
  }
  if (name == "fer2013") {
    const std::string prefix = dir + "fer2013/" + split;
    return load_idx_pair(prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte", 7, id);
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
  throw InputError("unknown dataset '" + name + "'; known: " + known);
}

}  // namespace l2o
