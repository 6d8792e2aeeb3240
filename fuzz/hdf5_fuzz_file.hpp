#pragma once
// Shared by the HDF5 fuzz targets: the readers take a path, as l2o does, so each input is written
// to a file in /dev/shm (one per process) and each reader runs on it, the errors a bad file may
// legitimately raise ending it: InputError, or SystemError when libhdf5 itself fails to read an
// object (exit 3). Anything else escapes to libFuzzer as a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "util/error.hpp"

namespace l2o::fuzz {

/// Writes the input to /dev/shm/l2o-fuzz-<target>-<pid>.h5 and returns that path; traps (a harness
/// failure, not l2o's) if it cannot. The pid has 10 digits, so that the path's length, and with it
/// the heap layout a reproducible run (scripts/fuzz.sh --ci) depends on, is the same for any pid.
inline std::string write_input_file(const std::string& target, const std::uint8_t* data,
                                    std::size_t size) {
  std::string pid = std::to_string(::getpid());
  pid.insert(0, 10 - pid.size(), '0');
  const std::string path = "/dev/shm/l2o-fuzz-" + target + "-" + pid + ".h5";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(data, 1, size, file) != size || std::fclose(file) != 0) {
    std::perror(path.c_str());
    __builtin_trap();
  }
  return path;
}

/// Runs one reader; InputError and SystemError end it.
inline void read_with(const std::function<void()>& reader) {
  try {
    reader();
  } catch (const InputError&) {
  } catch (const SystemError&) {
  }
}

}  // namespace l2o::fuzz
