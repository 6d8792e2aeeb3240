#pragma once
// Small helpers shared by the test binaries: where the real data sets are, scratch directories.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace l2o::test {

/// The real data sets: $L2O_DATA_DIR if set, else the directory chosen at configure time
/// (tests/CMakeLists.txt).
inline std::string data_dir() {
  const char* dir = std::getenv("L2O_DATA_DIR");
  return dir != nullptr && *dir != '\0' ? dir : L2O_TEST_DATA_DIR;
}

/// The source tree (configs, scripts, fixtures).
inline std::string source_dir() {
  return L2O_SOURCE_DIR;
}

/// The l2o executable under test.
inline std::string l2o_binary() {
  return L2O_BINARY;
}

/// A fresh, empty scratch directory under the system temp dir, unique per name and process.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("l2o-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Writes `bytes` to `path`.
inline void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace l2o::test

/// Ends the current test case as skipped, with the reason. Catch2 2 has no skip, so the reason
/// goes out as a warning starting "L2O_SKIP:", which ctest reports as a skipped test
/// (SKIP_REGULAR_EXPRESSION, tests/CMakeLists.txt) instead of a pass.
#define L2O_SKIP(reason)          \
  do {                            \
    WARN("L2O_SKIP: " << reason); \
    return;                       \
  } while (false)
