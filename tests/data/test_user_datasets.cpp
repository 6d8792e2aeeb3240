// A user's own data set by path (task.dataset = "h5:<file>" / "idx:<prefix>", docs/data.md):
// valid files load exactly, and every way such a file can be wrong gets one line naming the file
// and the fix. Each file is a few hundred bytes written by the test.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "test_support.hpp"
#include "user_data_file.hpp"
#include "util/available_memory.hpp"
#include "util/error.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using l2o::test::test_pixels;
using l2o::test::UserDataFile;

std::vector<std::int64_t> cycling_labels(std::size_t count, std::int64_t classes) {
  std::vector<std::int64_t> labels(count);
  for (std::size_t i = 0; i < count; ++i) labels[i] = static_cast<std::int64_t>(i) % classes;
  return labels;
}

// The one-line error of loading split `split` of "h5:<path>".
std::string h5_error(const fs::path& path, int num_classes = 0,
                     const std::string& split = "train") {
  try {
    (void)l2o::load_dataset("", "h5:" + path.string(), split, num_classes);
  } catch (const l2o::InputError& e) {
    const std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Contains(path.string()));
    return message;
  }
  FAIL("no error for " << path);
  return "";
}

// A file whose /train holds `images` (uint8, shape) and cycling labels of 3 classes.
fs::path file_with_train(const fs::path& dir, const std::string& name,
                         const std::vector<hsize_t>& shape) {
  const fs::path path = dir / name;
  UserDataFile file(path);
  std::size_t values = 1;
  for (auto d : shape) values *= d;
  file.write("train/images", H5T_NATIVE_UINT8, shape, test_pixels(values, 1));
  file.write("train/labels", H5T_NATIVE_INT64, {shape[0]}, cycling_labels(shape[0], 3));
  return path;
}

}  // namespace

TEST_CASE("an h5: file of uint8 N x H x W images loads both splits exactly", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-valid");
  l2o::test::write_valid_user_data(dir / "valid.h5");
  const std::string name = "h5:" + (dir / "valid.h5").string();
  const l2o::Dataset train = l2o::load_dataset("", name, "train");
  CHECK((train.count == 30 && train.rows == 8 && train.cols == 8 && train.channels == 1));
  CHECK(train.num_classes == 3);
  CHECK_FALSE(train.real_valued);
  CHECK(train.pixels == test_pixels(30, 64));
  CHECK(train.labels[4] == 1);
  const l2o::Dataset test = l2o::load_dataset("", name, "test");
  CHECK((test.count == 9 && test.num_classes == 3 && test.labels[0] == 2));
  CHECK(test.pixels == test_pixels(9, 64));
  // task.num_classes may declare classes the labels do not use.
  CHECK(l2o::load_dataset("", name, "train", 5).num_classes == 5);
}

TEST_CASE("float N x D and N x H x W x C files load as real values", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-float");
  std::vector<double> values(12 * 5);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25 * static_cast<double>(i) - 3.0;
  {
    UserDataFile file(dir / "rows.h5");
    file.write("train/images", H5T_NATIVE_DOUBLE, {12, 5}, values);
    file.write("train/labels", H5T_NATIVE_UINT8, {12},
               std::vector<std::uint8_t>{0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
  }
  const l2o::Dataset rows = l2o::load_dataset("", "h5:" + (dir / "rows.h5").string(), "train");
  CHECK((rows.real_valued && rows.count == 12 && rows.rows == 1 && rows.cols == 5));
  CHECK((rows.num_classes == 2 && rows.pixels.empty()));
  REQUIRE(rows.real_pixels.size() == values.size());
  CHECK(rows.real_pixels[7] == 0.25f * 7 - 3.0f);
  {
    UserDataFile file(dir / "color.h5");
    file.write("train/images", H5T_NATIVE_FLOAT, {6, 2, 3, 2}, std::vector<float>(72, 0.5f));
    file.write("train/labels", H5T_NATIVE_INT32, {6}, std::vector<std::int32_t>{0, 1, 2, 0, 1, 2});
  }
  const l2o::Dataset color = l2o::load_dataset("", "h5:" + (dir / "color.h5").string(), "train");
  CHECK((color.rows == 2 && color.cols == 3 && color.channels == 2 && color.example_size() == 12));
}

TEST_CASE("the projection of real values equals that of the same 8-bit pixels", "[data]") {
  // Standardisation removes the 1/255 scale of 8-bit pixels, so the same numbers given as floats
  // define the same task up to rounding.
  const fs::path dir = l2o::test::scratch_dir("h5-same");
  l2o::test::write_valid_user_data(dir / "bytes.h5");
  l2o::Dataset bytes = l2o::load_dataset("", "h5:" + (dir / "bytes.h5").string(), "train");
  l2o::Dataset reals = bytes;
  reals.real_valued = true;
  reals.real_pixels.assign(bytes.pixels.begin(), bytes.pixels.end());
  reals.pixels.clear();
  const auto a = l2o::RandomProjection(bytes, 6, 1).apply(bytes).features;
  const auto b = l2o::RandomProjection(reals, 6, 1).apply(reals).features;
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-10);
}

TEST_CASE("a missing h5: file is named with the fix", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-missing") / "nowhere.h5";
  CHECK_THAT(h5_error(path), Contains("no such file; check task.dataset"));
}

TEST_CASE("an h5: file that is not HDF5 is named with the layout", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-not") / "text.h5";
  l2o::test::write_bytes(path, {'h', 'e', 'l', 'l', 'o'});
  CHECK_THAT(h5_error(path), Contains("not an HDF5 file") && Contains("docs/data.md"));
}

TEST_CASE("an h5: file without /train/images or /train/labels names the missing one", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-absent");
  {
    UserDataFile file(dir / "no_images.h5");
    file.write("train/labels", H5T_NATIVE_INT64, {3}, cycling_labels(3, 3));
  }
  CHECK_THAT(h5_error(dir / "no_images.h5"), Contains("/train/images missing; docs/data.md"));
  {
    UserDataFile file(dir / "no_labels.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 4}, test_pixels(3, 4));
  }
  CHECK_THAT(h5_error(dir / "no_labels.h5"), Contains("/train/labels missing"));
}

TEST_CASE("mis-shaped h5: images are refused with the shapes allowed", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-shape");
  const std::string fix = "it must be N x D, N x H x W or N x H x W x C";
  CHECK_THAT(h5_error(file_with_train(dir, "flat.h5", {6})),
             Contains("has shape (6,)") && Contains(fix));
  CHECK_THAT(h5_error(file_with_train(dir, "five.h5", {3, 1, 1, 1, 2})), Contains(fix));
  CHECK_THAT(h5_error(file_with_train(dir, "empty_example.h5", {3, 0})),
             Contains("every example needs 1 to 2147483647 values"));
  {  // 2^32 values per example, declared only (HDF5 allocates a contiguous dataset on write)
    UserDataFile file(dir / "huge_example.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {1, 65536, 65536}, std::vector<std::uint8_t>{});
    file.write("train/labels", H5T_NATIVE_INT64, {1}, cycling_labels(1, 1));
  }
  CHECK_THAT(h5_error(dir / "huge_example.h5"), Contains("has shape (1, 65536, 65536); every "
                                                         "example needs 1 to 2147483647 values"));
}

TEST_CASE("mis-shaped h5: labels are refused with the shape wanted", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-label-shape");
  {
    UserDataFile file(dir / "column.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 4}, test_pixels(3, 4));
    file.write("train/labels", H5T_NATIVE_INT64, {3, 1}, cycling_labels(3, 3));
  }
  CHECK_THAT(h5_error(dir / "column.h5"),
             Contains("/train/labels has shape (3, 1)") && Contains("shape (3,)"));
  {
    UserDataFile file(dir / "short.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 4}, test_pixels(3, 4));
    file.write("train/labels", H5T_NATIVE_INT64, {2}, cycling_labels(2, 2));
  }
  CHECK_THAT(h5_error(dir / "short.h5"), Contains("has 3 rows; write one label per example"));
}

TEST_CASE("h5: images of a wrong type are refused with the conversion", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-type") / "int32.h5";
  {
    UserDataFile file(path);
    file.write("train/images", H5T_NATIVE_INT32, {3, 2}, std::vector<std::int32_t>(6, 1));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, cycling_labels(3, 3));
  }
  CHECK_THAT(h5_error(path), Contains("/train/images holds int32; store uint8 pixels or floats"));
}

TEST_CASE("h5: labels of a wrong type are refused with the conversion", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-label-type") / "float_labels.h5";
  {
    UserDataFile file(path);
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2}, test_pixels(3, 2));
    file.write("train/labels", H5T_NATIVE_DOUBLE, {3}, std::vector<double>{0, 1, 2});
  }
  CHECK_THAT(h5_error(path), Contains("/train/labels holds float64; store integer class indices"));
}

TEST_CASE("h5: labels out of range are refused with the record and the range", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-range");
  {
    UserDataFile file(dir / "negative.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2}, test_pixels(3, 2));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, std::vector<std::int64_t>{0, -1, 1});
  }
  CHECK_THAT(h5_error(dir / "negative.h5"),
             Contains("/train/labels[1] = -1 is out of range [0, 256); relabel to 0..K-1"));
  l2o::test::write_valid_user_data(dir / "three.h5");  // labels 0..2
  CHECK_THAT(h5_error(dir / "three.h5", 2),
             Contains("/train/labels[2] = 2 is out of range [0, 2)") &&
                 Contains("raise task.num_classes"));
}

TEST_CASE("h5: labels that skip a class or hold one class are refused", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-gap");
  {
    UserDataFile file(dir / "one_based.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2}, test_pixels(3, 2));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, std::vector<std::int64_t>{1, 2, 3});
  }
  CHECK_THAT(h5_error(dir / "one_based.h5"),
             Contains("class 0 never occurs (4 classes from the largest label); relabel"));
  {
    UserDataFile file(dir / "single.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2}, test_pixels(3, 2));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, std::vector<std::int64_t>{0, 0, 0});
  }
  CHECK_THAT(h5_error(dir / "single.h5"), Contains("a classifier needs two or more"));
}

TEST_CASE("an h5: file with zero rows is refused", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-zero") / "zero.h5";
  {
    UserDataFile file(path);
    file.write("train/images", H5T_NATIVE_UINT8, {0, 4}, std::vector<std::uint8_t>{});
    file.write("train/labels", H5T_NATIVE_INT64, {0}, std::vector<std::int64_t>{});
  }
  CHECK_THAT(h5_error(path), Contains("/train/images has no rows; write at least one example"));
}

TEST_CASE("an h5: file whose test examples differ in shape from train is refused", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-mismatch") / "mismatch.h5";
  {
    UserDataFile file(path);
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2, 2}, test_pixels(3, 4));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, cycling_labels(3, 3));
    file.write("test/images", H5T_NATIVE_UINT8, {2, 4}, test_pixels(2, 4));
    file.write("test/labels", H5T_NATIVE_INT64, {2}, cycling_labels(2, 2));
  }
  CHECK_THAT(h5_error(path), Contains("/test/images examples have shape (4,) but /train/images "
                                      "(2, 2); both splits need the same per-example shape"));
}

TEST_CASE("an h5: test split without labels, or asked for but absent, is refused", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("h5-test-split");
  {
    UserDataFile file(dir / "no_test_labels.h5");
    file.write("train/images", H5T_NATIVE_UINT8, {3, 2}, test_pixels(3, 2));
    file.write("train/labels", H5T_NATIVE_INT64, {3}, cycling_labels(3, 3));
    file.write("test/images", H5T_NATIVE_UINT8, {2, 2}, test_pixels(2, 2));
  }
  CHECK_THAT(h5_error(dir / "no_test_labels.h5"), Contains("/test/labels missing"));
  const fs::path train_only = file_with_train(dir, "train_only.h5", {3, 2});
  CHECK_NOTHROW(l2o::load_dataset("", "h5:" + train_only.string(), "train"));
  CHECK_THAT(h5_error(train_only, 0, "test"), Contains("no /test split; add /test/images"));
}

TEST_CASE("h5: float images holding NaN or infinity are refused with the example", "[data]") {
  const fs::path path = l2o::test::scratch_dir("h5-nan") / "nan.h5";
  std::vector<float> values(3 * 2, 1.0f);
  values[5] = std::numeric_limits<float>::quiet_NaN();
  {
    UserDataFile file(path);
    file.write("train/images", H5T_NATIVE_FLOAT, {3, 2}, values);
    file.write("train/labels", H5T_NATIVE_INT64, {3}, cycling_labels(3, 3));
  }
  CHECK_THAT(h5_error(path), Contains("/train/images example 2 holds NaN or infinity"));
}

TEST_CASE("an idx: prefix loads its pair with the class count from the labels", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("idx-user");
  std::vector<std::uint8_t> images = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 3};
  const auto pixels = test_pixels(4, 6);
  images.insert(images.end(), pixels.begin(), pixels.end());
  l2o::test::write_bytes(dir / "set-images-idx3-ubyte", images);
  l2o::test::write_bytes(dir / "set-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 4, 0, 3, 2, 1});
  const std::string name = "idx:" + (dir / "set").string();
  const l2o::Dataset train = l2o::load_dataset("", name, "train");
  CHECK((train.count == 4 && train.rows == 2 && train.cols == 3 && train.pixels == pixels));
  CHECK(train.num_classes == 4);
  CHECK(l2o::load_dataset("", name, "train", 6).num_classes == 6);
  CHECK_THROWS_WITH(l2o::load_dataset("", name, "train", 3),
                    Contains("label 3 of record 1 is out of range [0, 3)"));
  CHECK_THROWS_WITH(l2o::load_dataset("", name, "test"), Contains("a training split only"));
  // Labels 0, 4, 2, 1: class 3 is a gap unless task.num_classes says 5.
  fs::copy_file(dir / "set-images-idx3-ubyte", dir / "gap-images-idx3-ubyte");
  l2o::test::write_bytes(dir / "gap-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 4, 0, 4, 2, 1});
  CHECK_THROWS_WITH(l2o::load_dataset("", "idx:" + (dir / "gap").string(), "train"),
                    Contains("class 3 never occurs"));
  CHECK(l2o::load_dataset("", "idx:" + (dir / "gap").string(), "train", 5).num_classes == 5);
}

TEST_CASE("a missing or damaged idx: file is named with the fix", "[data]") {
  const fs::path dir = l2o::test::scratch_dir("idx-bad");
  const std::string name = "idx:" + (dir / "none").string();
  CHECK_THROWS_WITH(l2o::load_dataset("", name, "train"),
                    Contains((dir / "none-images-idx3-ubyte").string() + ": no such file") &&
                        Contains("check task.dataset"));
  l2o::test::write_bytes(dir / "bad-images-idx3-ubyte", {0, 0, 8, 1});
  l2o::test::write_bytes(dir / "bad-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 0});
  CHECK_THROWS_WITH(l2o::load_dataset("", "idx:" + (dir / "bad").string(), "train"),
                    Contains("truncated IDX header") && Contains("needs an IDX image/label pair"));
}

TEST_CASE("task.num_classes must match a built-in data set's own count", "[data]") {
  // A stand-in MNIST of two 28x28 images (the loader checks the side).
  const fs::path dir = l2o::test::scratch_dir("builtin-classes");
  fs::create_directories(dir / "mnist");
  std::vector<std::uint8_t> images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
  images.resize(images.size() + 2 * 28 * 28, 9);
  l2o::test::write_bytes(dir / "mnist/train-images-idx3-ubyte", images);
  l2o::test::write_bytes(dir / "mnist/train-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 2, 3, 5});
  CHECK(l2o::load_dataset(dir.string(), "mnist", "train", 10).num_classes == 10);
  CHECK_THROWS_WITH(l2o::load_dataset(dir.string(), "mnist", "train", 7),
                    "task.num_classes = 7 but mnist has 10 classes; set it to 0 (it is for "
                    "h5:/idx: data sets)");
}

TEST_CASE("a projection too large for the memory is refused with the bytes it needs", "[data]") {
  l2o::Dataset mnist_shape;
  mnist_shape.name = "mnist/train";
  mnist_shape.count = 60000;
  mnist_shape.rows = mnist_shape.cols = 28;
  // Closed form: matrix 784 x d, projected data and its standardised copy 60000 x d, and one
  // 2048-row block of converted pixels, all doubles.
  const std::uint64_t d = 100000;
  CHECK(l2o::projection_bytes(mnist_shape, 100000) == 8 * (784 * d + 2 * 60000 * d + 2048 * 784));
  CHECK_THROWS_WITH(l2o::require_projection_memory(mnist_shape, 100000),
                    Contains("task.input_dim = 100000 on mnist/train (60000 examples of 784 "
                             "values): the random projection and projected data needs "
                             "96640045056 bytes (96.6 GB) but ") &&
                        Contains("lower task.input_dim"));
  CHECK_NOTHROW(l2o::require_projection_memory(mnist_shape, 48));
  CHECK(l2o::human_bytes(96640000000) == "96.6 GB");
  CHECK(l2o::available_memory_bytes() > 0);
}
