#include "data/cifar_reader.hpp"

#include "data/file_bytes.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

constexpr std::int64_t kImageBytes = 32 * 32 * 3;

int label_bytes(CifarKind kind) {
  return kind == CifarKind::cifar10 ? 1 : 2;
}

int classes(CifarKind kind) {
  switch (kind) {
    case CifarKind::cifar10:
      return 10;
    case CifarKind::cifar100_fine:
      return 100;
    case CifarKind::cifar100_coarse:
      return 20;
  }
  return 0;
}

}  // namespace

void parse_cifar(const std::vector<std::uint8_t>& bytes, const std::string& origin, CifarKind kind,
                 Dataset& dataset) {
  const std::int64_t record = label_bytes(kind) + kImageBytes;
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (size == 0 || size % record != 0)
    throw InputError(origin + ": " + std::to_string(size) + " bytes is not a whole number of " +
                     std::to_string(record) + "-byte " +
                     (kind == CifarKind::cifar10 ? "CIFAR-10" : "CIFAR-100") +
                     " records (truncated or wrong format)");
  const std::int64_t count = size / record;
  // Fine label is the second byte of a CIFAR-100 record, coarse the first.
  const int label_offset = kind == CifarKind::cifar100_fine ? 1 : 0;
  dataset.pixels.reserve(dataset.pixels.size() + count * kImageBytes);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::uint8_t* start = bytes.data() + i * record;
    const std::uint8_t label = start[label_offset];
    if (label >= dataset.num_classes)
      throw InputError(origin + ": label " + std::to_string(label) + " of record " +
                       std::to_string(i) + " is out of range [0, " +
                       std::to_string(dataset.num_classes) + ")");
    dataset.labels.push_back(label);
    dataset.pixels.insert(dataset.pixels.end(), start + label_bytes(kind), start + record);
  }
  dataset.count += count;
}

Dataset empty_cifar_dataset(CifarKind kind, const std::string& name) {
  Dataset dataset;
  dataset.name = name;
  dataset.rows = dataset.cols = 32;
  dataset.channels = 3;
  dataset.num_classes = classes(kind);
  return dataset;
}

Dataset load_cifar(const std::vector<std::string>& paths, CifarKind kind, const std::string& name) {
  Dataset dataset = empty_cifar_dataset(kind, name);
  for (const auto& path : paths) {
    const std::string file = resolve_data_file(path);
    parse_cifar(read_file_bytes(file), file, kind, dataset);
  }
  return dataset;
}

}  // namespace l2o
