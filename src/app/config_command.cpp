#include "app/config_command.hpp"

#include <cstdio>
#include <stdexcept>

#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {

int run_config_defaults() {
  std::fputs(defaults_documentation().c_str(), stdout);
  return 0;
}

int run_config_check(const RunOptions& options) {
  const Config config = load_config(options);
  // Semantic checks that need other stages: the optimizer's hyperparameter names and ranges.
  try {
    (void)make_optimizer(config.string("optimizer.name"),
                         config.numbers("optimizer.hyperparameters"));
  } catch (const std::invalid_argument& e) {
    throw InputError(options.config_file + ": optimizer.hyperparameters: " + e.what());
  }
  if (!options.quiet) std::fputs(config.to_toml().c_str(), stdout);
  std::fprintf(stderr, "%s: OK\n",
               options.config_file.empty() ? "defaults" : options.config_file.c_str());
  return 0;
}

}  // namespace l2o
