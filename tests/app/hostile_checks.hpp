#pragma once
// The contract every hostile-input test checks on the real `l2o` binary: exit code, exactly one
// line "l2o: error: <message>", and a scratch directory left as it was (nothing lost, changed or
// added -- temporaries included).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "app/run_l2o.hpp"

namespace l2o::test {

/// The whole content of a file.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// Every entry under `dir`: file contents, symlink targets, directories. Two equal snapshots mean
/// nothing was lost, changed or added (temporary files included).
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().lexically_relative(dir).string();
    if (entry.is_symlink())
      entries[name] = "symlink to " + fs::read_symlink(entry.path()).string();
    else if (entry.is_regular_file())
      entries[name] = read_text(entry.path());
    else
      entries[name] = "directory";
  }
  return entries;
}

/// Runs `l2o <arguments>` and checks the contract for bad input: the exit code, the output is
/// exactly one line "l2o: error: <message>", and `dir` is unchanged afterwards.
inline void expect_rejected(const std::filesystem::path& dir, const std::string& arguments,
                            const std::string& message, int exit_code = 2) {
  const auto before = snapshot(dir);
  const auto outcome = run_l2o(arguments);
  INFO(arguments);
  CHECK(outcome.exit_code == exit_code);
  CHECK(outcome.output == "l2o: error: " + message + "\n");
  CHECK(snapshot(dir) == before);
}

}  // namespace l2o::test
