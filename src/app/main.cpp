// l2o command line: subcommands are registered by src/app/*_command.cpp.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"l2o: learning to optimize neural nets (Li & Malik 2017)"};
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
