#pragma once
// `l2o config`: print every key with its default and meaning, or validate a config file.
#include "app/run_options.hpp"

namespace l2o {

/// Prints the documented defaults (valid TOML) to stdout.
int run_config_defaults();

/// Validates the config of `options` (file plus --set) without running anything; prints the
/// resolved configuration unless quiet.
int run_config_check(const RunOptions& options);

}  // namespace l2o
