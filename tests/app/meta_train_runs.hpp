#pragma once
// Command lines of small `l2o meta-train` runs whose config, checkpoint and model live in one
// scratch directory (tests of both methods).
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace l2o::test {

/// A fresh scratch directory `name` holding `config_text` as tiny.toml.
inline std::filesystem::path meta_train_dir(const std::string& name,
                                            const std::string& config_text) {
  const std::filesystem::path dir = scratch_dir(name);
  std::ofstream(dir / "tiny.toml") << config_text;
  return dir;
}

/// The meta-train arguments for the run in `dir` (tiny.toml, checkpoint.h5, model.h5) + `extra`.
inline std::string meta_train_arguments(const std::filesystem::path& dir,
                                        const std::string& extra = "") {
  return "meta-train --quiet --config " + (dir / "tiny.toml").string() + " --data-dir " +
         data_dir() + " --set meta_train.checkpoint=" + (dir / "checkpoint.h5").string() +
         " --set meta_train.model=" + (dir / "model.h5").string() + extra;
}

}  // namespace l2o::test
