#pragma once
// Command lines of small `l2o meta-train` runs whose config, checkpoint and model live in one
// scratch directory (tests of both methods), and the background runs that kill tests interrupt.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace l2o::test {

/// The tiny L2L meta-training run of the app tests: MNIST projected to 16 dimensions, 8 hidden
/// units (d = 226), 30-step episodes of 3 truncations, validation on 300 examples: about a second
/// of training after loading MNIST, in 12 meta-batches that each end with a checkpoint, so kills
/// land before, between and during checkpoint writes.
inline constexpr const char* kTinyL2l = R"([run]
seed = 7
[task]
input_dim = 16
hidden = [8]
batch_size = 32
[meta_train]
checkpoint_every = 1
cost_examples = 300
[l2l]
episodes = 12
horizon = 30
truncation = 10
validation_interval = 2
validation_episodes = 2
learning_rate = 0.003
)";

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
/// With `ranks` > 0 it runs under `scripts/mpirun.sh -np <ranks>` (the pid is mpirun's, which
/// passes SIGUSR1 on to the ranks).
inline pid_t spawn_l2o(const std::string& arguments, const std::filesystem::path& log,
                       int ranks = 0) {
  const std::string launcher =
      ranks > 0 ? source_dir() + "/scripts/mpirun.sh -np " + std::to_string(ranks) + " " : "";
  const std::string command =
      "exec " + launcher + l2o_binary() + " " + arguments + " > " + log.string() + " 2>&1";
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

/// Polls every millisecond until `ready()` or the spawned `pid` has exited (then false; it stays
/// unreaped so that the caller's kill and wait_for see its real exit status).
template <class Ready>
bool wait_until(pid_t pid, Ready ready) {
  while (!ready()) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

/// A temporary file of a writer (AtomicHdf5File's "<final>.tmp.<pid>", an output probe).
inline bool is_temporary(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.find(".tmp.") != std::string::npos || name.find(".probe.") != std::string::npos;
}

/// Every file below `dir` by name relative to it.
inline std::set<std::string> files_below(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      names.insert(std::filesystem::relative(entry.path(), dir).string());
  return names;
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
