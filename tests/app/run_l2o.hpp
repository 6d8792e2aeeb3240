#pragma once
// Runs the real l2o executable (directly or under scripts/mpirun.sh) and captures what a user sees.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "test_support.hpp"

namespace l2o::test {

/// Exit code (-1 if killed by a signal) and stdout + stderr together, in order of arrival.
struct Outcome {
  int exit_code;
  std::string output;
};

/// Runs a shell command line with stderr folded into stdout.
inline Outcome run_shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// `l2o <arguments>` as one process (no mpirun: MpiSession runs as a singleton).
inline Outcome run_l2o(const std::string& arguments) {
  return run_shell(l2o_binary() + " " + arguments);
}

/// `scripts/mpirun.sh -np <ranks> l2o <arguments>`.
inline Outcome run_l2o_mpi(int ranks, const std::string& arguments) {
  return run_shell(source_dir() + "/scripts/mpirun.sh -np " + std::to_string(ranks) + " " +
                   l2o_binary() + " " + arguments);
}

}  // namespace l2o::test
