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
  CHECK(group.string_attribute("name") == "x");
  CHECK(group.double_attribute("value") == 0.25);
  CHECK(group.integer_attribute("count") == 42);
  CHECK_THROWS_WITH(group.read_doubles("missing"), path + ":/g/missing: dataset missing");
  CHECK_THROWS_WITH(root.open_group("nope"), path + ":/nope: group missing");
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
