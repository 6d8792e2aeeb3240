// The HDF5 layer: values round-trip, files appear under their final name only on commit,
// errors name the file and object.
#include <catch2/catch.hpp>
#include <filesystem>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

TEST_CASE("datasets and attributes round-trip", "[io]") {
  const auto dir = l2o::test::scratch_dir("hdf5");
  const std::string path = (dir / "out.h5").string();
  {
    l2o::AtomicHdf5File file(path);
    const auto group = file.root().create_group("g");
    const std::vector<double> matrix = {1, 2, 3, 4, 5, 6.5};
    group.write("m", matrix.data(), {2, 3});
    group.write("i", std::vector<std::int64_t>{-1, 7});
    group.write_string("text", "a = 1\n[b]\n");
    group.write_string("empty", "");
    group.set_attribute("name", std::string("x"));
    group.set_attribute("value", 0.25);
    group.set_attribute("count", std::int64_t{42});
    CHECK_FALSE(std::filesystem::exists(path));  // not under the final name before commit
    file.commit();
  }
  REQUIRE(std::filesystem::exists(path));
  CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);  // no temp left
  const auto root = l2o::open_hdf5_for_reading(path);
  const auto group = root.open_group("g");
  l2o::Hdf5Shape shape;
  CHECK(group.read_doubles("m", &shape) == std::vector<double>{1, 2, 3, 4, 5, 6.5});
  CHECK(shape == l2o::Hdf5Shape{2, 3});
  CHECK(group.read_integers("i") == std::vector<std::int64_t>{-1, 7});
  CHECK(group.read_string("text") == "a = 1\n[b]\n");
  CHECK(group.read_string("empty").empty());
  CHECK(group.string_attribute("name") == "x");
  CHECK(group.double_attribute("value") == 0.25);
  CHECK(group.integer_attribute("count") == 42);
  CHECK_THROWS_WITH(group.read_doubles("missing"), path + ":/g/missing: dataset missing");
  CHECK_THROWS_WITH(root.open_group("nope"), path + ":/nope: group missing");
}

TEST_CASE("describe reports shape and type, and floats read back exactly", "[io]") {
  const auto dir = l2o::test::scratch_dir("hdf5-describe");
  const std::string path = (dir / "out.h5").string();
  {
    l2o::AtomicHdf5File file(path);
    const std::vector<float> floats = {0.5f, 200.0f, 3.0f, 4.25f};
    file.root().write("f", floats.data(), {2, 2});
    file.root().write("i", std::vector<std::int64_t>{-1, 7, 255});
    (void)file.root().create_group("g");
    file.commit();
  }
  const auto root = l2o::open_hdf5_for_reading(path);
  const l2o::Hdf5DatasetInfo f = root.describe("f");
  CHECK((f.shape == l2o::Hdf5Shape{2, 2} && f.type_class == H5T_FLOAT && f.element_size == 4));
  const l2o::Hdf5DatasetInfo i = root.describe("i");
  CHECK((i.shape == l2o::Hdf5Shape{3} && i.type_class == H5T_INTEGER && i.is_signed));
  CHECK(root.read_floats("f") == std::vector<float>{0.5f, 200.0f, 3.0f, 4.25f});
  CHECK_THROWS_WITH(root.describe("g"), path + ":/g: not a dataset");
  CHECK_THROWS_WITH(root.describe("none"), path + ":/none: dataset missing");
}

TEST_CASE("an uncommitted file leaves nothing and keeps an existing result", "[io]") {
  const auto dir = l2o::test::scratch_dir("hdf5-abort");
  const std::string path = (dir / "out.h5").string();
  l2o::test::write_bytes(path, {'o', 'l', 'd'});
  {
    l2o::AtomicHdf5File file(path);
    file.root().write("x", std::vector<double>{1.0});
  }  // destroyed without commit, as when a run throws
  CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  CHECK(std::filesystem::file_size(path) == 3);  // the old file is untouched
  CHECK_THROWS_WITH(l2o::open_hdf5_for_reading(path),
                    path + ": not an HDF5 file (truncated or another format)");
  CHECK_THROWS_WITH(l2o::AtomicHdf5File((dir / "no/such/dir/x.h5").string()),
                    (dir / "no/such/dir/x.h5").string() + ": output directory " +
                        (dir / "no/such/dir").string() +
                        " does not exist; create it or choose another output path");
}

TEST_CASE("a damaged string length or heap is rejected before libhdf5 reads it", "[io]") {
  // A fuzzed file whose /string element now points into other data: its stored length reads as
  // 1768778100 bytes, which libhdf5 1.10 would allocate and zero (1.8 GB, 18 s) before failing.
  const std::string path =
      l2o::test::source_dir() + "/fuzz/known-libhdf5/vlen_string_dataset_2GB_18s";
  const auto root = l2o::open_hdf5_for_reading(path);
  CHECK_THROWS_WITH(root.read_string("string"),
                    path +
                        ":/string: string of 1768778100 bytes declared in a file of 11307 "
                        "bytes; the file is damaged");
  CHECK_THROWS_AS(root.read_string("string"), l2o::InputError);
  // Intact lengths, damaged global heaps on which libhdf5 1.10 loops forever: an object whose
  // size wraps the address around, a free-space entry of size 0.
  for (const std::string name : {"vlen_string_dataset_global_heap_hang",
                                 "vlen_string_dataset_global_heap_empty_free_space"}) {
    const std::string file = l2o::test::source_dir() + "/fuzz/known-libhdf5/" + name;
    CHECK_THROWS_WITH(l2o::open_hdf5_for_reading(file).open_group("meta").read_string("config"),
                      file +
                          ":/meta/config: the global heap at byte 2064 that holds the string is "
                          "malformed; the file is damaged");
  }
  // Three integers, and one double: neither is a string l2o wrote.
  CHECK_THROWS_WITH(
      root.read_string("integers"),
      path + ":/integers: expected a single value; the file is damaged or not from l2o");
  const auto dir = l2o::test::scratch_dir("hdf5-string");
  const std::string fixed = (dir / "fixed.h5").string();
  {
    l2o::AtomicHdf5File file(fixed);
    file.root().write("x", std::vector<double>{1.0});
    file.commit();
  }
  CHECK_THROWS_WITH(
      l2o::open_hdf5_for_reading(fixed).read_string("x"),
      fixed + ":/x: not a variable-length string; the file is damaged or not from l2o");
}

TEST_CASE("a compressed dataset reads within deflate's expansion limit", "[io]") {
  // A fuzz seed whose 76 x 77 GPS matrices are zeros stored with gzip: 5852 doubles in 132 bytes.
  const std::string path = l2o::test::source_dir() + "/fuzz/corpus/checkpoint/gps_checkpoint";
  const auto dynamics = l2o::open_hdf5_for_reading(path)
                            .open_group("checkpoint")
                            .open_group("group_0")
                            .open_group("previous_dynamics");
  l2o::Hdf5Shape shape;
  CHECK(dynamics.read_doubles("transition", &shape) == std::vector<double>(5852, 0.0));
  CHECK(shape == l2o::Hdf5Shape{1, 76, 77});
}
