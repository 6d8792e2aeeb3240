#include "app/run_options.hpp"

namespace l2o {

Config load_config(const RunOptions& options) {
  Config config = options.config_file.empty() ? Config() : Config::from_file(options.config_file);
  for (const auto& assignment : options.overrides) config.apply_override(assignment);
  if (!options.data_dir.empty()) config.set("data.dir", options.data_dir);
  if (!options.output.empty()) config.set("run.output", options.output);
  return config;
}

}  // namespace l2o
