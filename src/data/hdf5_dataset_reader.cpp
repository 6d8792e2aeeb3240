#include "data/hdf5_dataset_reader.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "data/class_count.hpp"
#include "io/hdf5_file.hpp"
#include "util/available_memory.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

const char* const kLayout =
    "docs/data.md: /train/images (N x D, N x H x W or N x H x W x C; uint8 or float) and "
    "/train/labels (N integers 0..K-1)";

std::string shape_text(const Hdf5Shape& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

std::string type_text(const Hdf5DatasetInfo& info) {
  const std::string bits = std::to_string(8 * info.element_size);
  switch (info.type_class) {
    case H5T_INTEGER:
      return (info.is_signed ? "int" : "uint") + bits;
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_STRING:
      return "strings";
    default:
      return "a non-numeric type";
  }
}

// The checked description of one split's images and labels (no example read yet).
struct SplitLayout {
  Hdf5DatasetInfo images, labels;
};

SplitLayout check_split(const Hdf5Group& root, const std::string& split) {
  const std::string images = split + "/images", labels = split + "/labels";
  const std::string& file = root.file();
  if (!root.contains(split) || !root.contains(images))
    throw InputError(file + ": /" + images + " missing; " + kLayout);
  if (!root.contains(labels)) throw InputError(file + ": /" + labels + " missing; " + kLayout);
  SplitLayout layout{root.describe(images), root.describe(labels)};
  const Hdf5Shape& shape = layout.images.shape;
  if (shape.size() < 2 || shape.size() > 4)
    throw InputError(file + ": /" + images + " has shape " + shape_text(shape) +
                     "; it must be N x D, N x H x W or N x H x W x C (reshape it)");
  if (shape[0] == 0)
    throw InputError(file + ": /" + images + " has no rows; write at least one example");
  // Examples are indexed with int (Dataset::example_size, the projection's rows).
  std::uint64_t example_size = 1;
  for (std::size_t k = 1; k < shape.size(); ++k) {
    if (shape[k] == 0 || shape[k] > INT_MAX || (example_size *= shape[k]) > INT_MAX)
      throw InputError(file + ": /" + images + " has shape " + shape_text(shape) +
                       "; every example needs 1 to " + std::to_string(INT_MAX) + " values");
  }
  const bool uint8 = layout.images.type_class == H5T_INTEGER && !layout.images.is_signed &&
                     layout.images.element_size == 1;
  if (!uint8 && layout.images.type_class != H5T_FLOAT)
    throw InputError(
        file + ": /" + images + " holds " + type_text(layout.images) +
        "; store uint8 pixels or floats (images.astype(numpy.uint8) or numpy.float32)");
  if (layout.labels.type_class != H5T_INTEGER)
    throw InputError(file + ": /" + labels + " holds " + type_text(layout.labels) +
                     "; store integer class indices (labels.astype(numpy.int64))");
  if (layout.labels.shape.size() != 1 || layout.labels.shape[0] != shape[0])
    throw InputError(file + ": /" + labels + " has shape " + shape_text(layout.labels.shape) +
                     " but /" + images + " has " + std::to_string(shape[0]) +
                     " rows; write one label per example, shape (" + std::to_string(shape[0]) +
                     ",)");
  return layout;
}

// The labels of `split` as bytes, each checked to lie in [0, num_classes), or in
// [0, kMaxClasses) if `num_classes` is 0.
std::vector<std::uint8_t> read_labels(const Hdf5Group& root, const std::string& split,
                                      int num_classes) {
  const std::string& file = root.file();
  const std::vector<std::int64_t> values = root.read_integers(split + "/labels");
  const std::int64_t limit = num_classes > 0 ? num_classes : kMaxClasses;
  const std::string fix =
      num_classes > 0
          ? "relabel to 0.." + std::to_string(num_classes - 1) + " or raise task.num_classes"
          : "relabel to 0..K-1 (at most " + std::to_string(kMaxClasses) + " classes)";
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] < 0 || values[i] >= limit)
      throw InputError(file + ": /" + split + "/labels[" + std::to_string(i) +
                       "] = " + std::to_string(values[i]) + " is out of range [0, " +
                       std::to_string(limit) + "); " + fix);
  return {values.begin(), values.end()};
}

}  // namespace

Dataset load_hdf5_dataset(const std::string& path, const std::string& split, int num_classes) {
  if (split != "train" && split != "test")
    throw InputError("dataset split '" + split + "' is not one of: train, test");
  if (!std::filesystem::exists(path))
    throw InputError(path + ": no such file; check task.dataset = \"h5:" + path +
                     "\" (relative to the working directory)");
  Hdf5Group root = [&] {
    try {
      return open_hdf5_for_reading(path);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + "; task.dataset \"h5:\" needs an HDF5 file, " +
                       kLayout);
    }
  }();
  const SplitLayout train = check_split(root, "train");
  if (root.contains("test")) {
    const SplitLayout test = check_split(root, "test");
    const Hdf5Shape train_example(train.images.shape.begin() + 1, train.images.shape.end());
    const Hdf5Shape test_example(test.images.shape.begin() + 1, test.images.shape.end());
    if (train_example != test_example)
      throw InputError(path + ": /test/images examples have shape " + shape_text(test_example) +
                       " but /train/images " + shape_text(train_example) +
                       "; both splits need the same per-example shape");
  } else if (split == "test") {
    throw InputError(path + ": no /test split; add /test/images and /test/labels (docs/data.md)");
  }
  const SplitLayout& layout = split == "train" ? train : check_split(root, "test");

  Dataset dataset;
  dataset.name = path + "/" + split;
  const Hdf5Shape& shape = layout.images.shape;
  dataset.count = static_cast<std::int64_t>(shape[0]);
  dataset.rows = shape.size() == 2 ? 1 : static_cast<int>(shape[1]);
  dataset.cols = static_cast<int>(shape.size() == 2 ? shape[1] : shape[2]);
  dataset.channels = shape.size() == 4 ? static_cast<int>(shape[3]) : 1;
  dataset.real_valued = layout.images.type_class == H5T_FLOAT;
  // Bytes of the examples and their labels as read (labels as int64), saturating at 2^64 - 1.
  const std::uint64_t per_example = static_cast<std::uint64_t>(dataset.example_size()) *
                                        (dataset.real_valued ? sizeof(float) : 1) +
                                    sizeof(std::int64_t);
  const std::uint64_t bytes =
      shape[0] > UINT64_MAX / per_example ? UINT64_MAX : shape[0] * per_example;
  require_memory(bytes, path + ": /" + split + "/images " + shape_text(shape),
                 "use fewer or smaller examples");

  // The class count is the training split's, for either split.
  std::vector<std::uint8_t> train_labels = read_labels(root, "train", num_classes);
  dataset.num_classes = resolve_class_count(train_labels, num_classes, path + ": /train/labels");
  dataset.labels =
      split == "train" ? std::move(train_labels) : read_labels(root, split, dataset.num_classes);

  const std::string images = split + "/images";
  if (!dataset.real_valued) {
    dataset.pixels = root.read_bytes(images);
    return dataset;
  }
  dataset.real_pixels = root.read_floats(images);
  const auto bad = std::find_if(dataset.real_pixels.begin(), dataset.real_pixels.end(),
                                [](float v) { return !std::isfinite(v); });
  if (bad != dataset.real_pixels.end())
    throw InputError(path + ": /" + images + " example " +
                     std::to_string((bad - dataset.real_pixels.begin()) / dataset.example_size()) +
                     " holds NaN or infinity (or a value beyond float32); replace it");
  return dataset;
}

}  // namespace l2o
