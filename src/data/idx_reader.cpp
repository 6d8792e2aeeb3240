#include "data/idx_reader.hpp"

#include "data/file_bytes.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

constexpr std::uint32_t kImageMagic = 0x00000803;
constexpr std::uint32_t kLabelMagic = 0x00000801;

std::uint32_t read_be32(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

std::string hex(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", value);
  return buffer;
}

}  // namespace

void parse_idx_images(const std::vector<std::uint8_t>& bytes, const std::string& origin,
                      Dataset& dataset) {
  if (bytes.size() < 16)
    throw InputError(origin + ": truncated IDX header (" + std::to_string(bytes.size()) +
                     " bytes, need 16)");
  const std::uint32_t magic = read_be32(bytes, 0);
  if (magic != kImageMagic)
    throw InputError(origin + ": wrong magic " + hex(magic) + " (expected " + hex(kImageMagic) +
                     " for IDX3 unsigned-byte images)");
  const std::uint32_t count = read_be32(bytes, 4);
  const std::uint32_t rows = read_be32(bytes, 8);
  const std::uint32_t cols = read_be32(bytes, 12);
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
    throw InputError(origin + ": implausible image size " + std::to_string(rows) + "x" +
                     std::to_string(cols));
  const std::uint64_t expected = 16 + std::uint64_t{count} * rows * cols;
  if (bytes.size() != expected)
    throw InputError(origin + ": file has " + std::to_string(bytes.size()) + " bytes, header (" +
                     std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                     std::to_string(cols) + ") implies " + std::to_string(expected) +
                     (bytes.size() < expected ? " (truncated body)" : " (trailing bytes)"));
  dataset.count = count;
  dataset.rows = static_cast<int>(rows);
  dataset.cols = static_cast<int>(cols);
  dataset.channels = 1;
  dataset.pixels.assign(bytes.begin() + 16, bytes.end());
}

void parse_idx_labels(const std::vector<std::uint8_t>& bytes, const std::string& origin,
                      Dataset& dataset) {
  if (bytes.size() < 8)
    throw InputError(origin + ": truncated IDX header (" + std::to_string(bytes.size()) +
                     " bytes, need 8)");
  const std::uint32_t magic = read_be32(bytes, 0);
  if (magic != kLabelMagic)
    throw InputError(origin + ": wrong magic " + hex(magic) + " (expected " + hex(kLabelMagic) +
                     " for IDX1 unsigned-byte labels)");
  const std::uint32_t count = read_be32(bytes, 4);
  if (bytes.size() != 8 + std::uint64_t{count})
    throw InputError(
        origin + ": file has " + std::to_string(bytes.size()) + " bytes, header (" +
        std::to_string(count) + " labels) implies " + std::to_string(8 + std::uint64_t{count}) +
        (bytes.size() < 8 + std::uint64_t{count} ? " (truncated body)" : " (trailing bytes)"));
  if (count != dataset.count)
    throw InputError(origin + ": " + std::to_string(count) + " labels but the image file has " +
                     std::to_string(dataset.count) + " images");
  dataset.labels.assign(bytes.begin() + 8, bytes.end());
  for (std::size_t i = 0; i < dataset.labels.size(); ++i)
    if (dataset.labels[i] >= dataset.num_classes)
      throw InputError(origin + ": label " + std::to_string(dataset.labels[i]) + " of record " +
                       std::to_string(i) + " is out of range [0, " +
                       std::to_string(dataset.num_classes) + ")");
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      int num_classes, const std::string& name) {
  Dataset dataset;
  dataset.name = name;
  dataset.num_classes = num_classes;
  const std::string images_file = resolve_data_file(images_path);
  const std::string labels_file = resolve_data_file(labels_path);
  parse_idx_images(read_file_bytes(images_file), images_file, dataset);
  parse_idx_labels(read_file_bytes(labels_file), labels_file, dataset);
  return dataset;
}

}  // namespace l2o
