#pragma once
// Command lines of small `l2o meta-train` runs whose config, checkpoint and model live in one
// scratch directory (tests of both methods), and the background runs that kill tests interrupt.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace l2o::test {

/// A fresh scratch directory `name` holding `config_text` as tiny.toml.
inline std::filesystem::path meta_train_dir(const std::string& name,
                                            const std::string& config_text) {
  const std::filesystem::path dir = scratch_dir(name);
  std::ofstream(dir / "tiny.toml") << config_text;
  return dir;
}

/// The meta-train arguments for the run in `dir` (tiny.toml, checkpoint.h5, model.h5) + `extra`;
/// with `quiet` false the run prints its progress lines.
inline std::string meta_train_arguments(const std::filesystem::path& dir,
                                        const std::string& extra = "", bool quiet = true) {
  return std::string("meta-train") + (quiet ? " --quiet" : "") + " --config " +
         (dir / "tiny.toml").string() + " --data-dir " + data_dir() +
         " --set meta_train.checkpoint=" + (dir / "checkpoint.h5").string() +
         " --set meta_train.model=" + (dir / "model.h5").string() + extra;
}

/// The one-line error of `--resume` for the run in `dir` before any checkpoint exists (both
/// methods share the rule, meta_train_files.hpp).
inline std::string missing_checkpoint_error(const std::filesystem::path& dir) {
  return "l2o: error: --resume: no checkpoint \"" + (dir / "checkpoint.h5").string() +
         "\" (meta_train.checkpoint); run without --resume to start training\n";
}

/// Starts `l2o <arguments>` in the background with stdout + stderr to `log`; returns its pid.
inline pid_t spawn_l2o(const std::string& arguments, const std::filesystem::path& log) {
  const std::string command =
      "exec " + l2o_binary() + " " + arguments + " > " + log.string() + " 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  REQUIRE(pid > 0);
  return pid;
}

/// Waits for the spawned `pid` to end: its exit code, or -signal if killed.
inline int wait_for(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/// A file under its final name is absent or a complete file with its group (and /meta).
inline void check_absent_or_complete(const std::filesystem::path& path, const std::string& group) {
  if (!std::filesystem::exists(path)) return;
  INFO(path);
  const auto file = open_hdf5_for_reading(path.string());
  CHECK(file.contains(group));
  CHECK(file.contains("meta"));
}

}  // namespace l2o::test
