#pragma once
// Writes a user's HDF5 data file (docs/data.md) for the tests, with any element type and shape,
// so that each way such a file can be wrong can be written on purpose.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace l2o::test {

/// A new HDF5 file; write() adds datasets ("train/images" creates the group), the destructor
/// closes it.
class UserDataFile {
 public:
  explicit UserDataFile(const std::filesystem::path& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {
    REQUIRE(file_ >= 0);
  }
  UserDataFile(const UserDataFile&) = delete;
  UserDataFile& operator=(const UserDataFile&) = delete;
  ~UserDataFile() { H5Fclose(file_); }

  /// Dataset `name` of `shape` holding `values` stored as `type` (e.g. H5T_NATIVE_UINT8).
  template <class T>
  void write(const std::string& name, hid_t type, const std::vector<hsize_t>& shape,
             const std::vector<T>& values) {
    const hid_t links = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(links, 1);
    const hid_t space = H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
    const hid_t dataset =
        H5Dcreate2(file_, name.c_str(), type, space, links, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    if (!values.empty())
      REQUIRE(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Pclose(links);
  }

 private:
  hid_t file_;
};

/// Pixels 0, 7, 14, ... (mod 256) for `count` examples of `size` values.
inline std::vector<std::uint8_t> test_pixels(std::size_t count, std::size_t size) {
  std::vector<std::uint8_t> pixels(count * size);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(7 * i);
  return pixels;
}

/// A valid file: 30 uint8 8x8 training images of 3 classes (0, 1, 2, 0, ...), 9 test images.
inline void write_valid_user_data(const std::filesystem::path& path) {
  UserDataFile file(path);
  std::vector<std::int64_t> train_labels(30), test_labels(9);
  for (std::size_t i = 0; i < train_labels.size(); ++i) train_labels[i] = std::int64_t(i % 3);
  for (std::size_t i = 0; i < test_labels.size(); ++i) test_labels[i] = std::int64_t(2 - i % 3);
  file.write("train/images", H5T_NATIVE_UINT8, {30, 8, 8}, test_pixels(30, 64));
  file.write("train/labels", H5T_NATIVE_INT64, {30}, train_labels);
  file.write("test/images", H5T_NATIVE_UINT8, {9, 8, 8}, test_pixels(9, 64));
  file.write("test/labels", H5T_NATIVE_INT64, {9}, test_labels);
}

}  // namespace l2o::test
