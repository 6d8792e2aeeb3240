#pragma once
// User-facing errors: every message is one line that names the file or key and the fix
// (brief: "Bad input gets a one-line error naming the file or key and the fix").
#include <stdexcept>
#include <string>

namespace l2o {

/// Bad user input (config, data file, checkpoint, command line). main() prints it and exits 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failed system or library call (HDF5, MPI, zlib, filesystem). main() prints it and exits 3.
class SystemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace l2o
