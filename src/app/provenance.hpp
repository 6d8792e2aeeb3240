#pragma once
// Every output file records how it was made: resolved config, git revision, command line,
// machine, ranks, threads and time (brief: "Every run stores its fully resolved config, the git
// revision and the command line inside its HDF5 output").
#include <string>

#include "io/config.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Writes the group /meta of `root`.
void write_provenance(const Hdf5Group& root, const Config& config, const std::string& command_line,
                      const std::string& subcommand, int ranks);

/// Creates the directory of output `path` (config key `key`) if needed; throws InputError naming
/// both unless it is then a writable directory. Called on every rank before any work, so a bad
/// output path fails fast and consistently.
void prepare_output_directory(const std::string& path, const std::string& key);

}  // namespace l2o
