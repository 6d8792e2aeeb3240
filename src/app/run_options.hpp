#pragma once
// Options shared by every subcommand that runs something, filled by the command line in main.
#include <string>
#include <vector>

#include "io/config.hpp"

namespace l2o {

/// The command line of one run: config file, --set overrides and flags.
struct RunOptions {
  std::string config_file;             ///< --config FILE (empty: defaults only)
  std::vector<std::string> overrides;  ///< --set section.key=value, applied in order
  std::string data_dir;                ///< --data-dir (overrides data.dir)
  std::string output;                  ///< --output (overrides run.output)
  bool quiet = false;                  ///< --quiet: no progress lines
  bool resume = false;                 ///< --resume (tune, evaluate): continue the progress file
  std::string command_line;            ///< the full argv, recorded in outputs
};

/// Defaults, then the config file, then --set, then --data-dir/--output, validated.
Config load_config(const RunOptions& options);

}  // namespace l2o
