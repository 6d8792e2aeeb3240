// l2o command line. Phases: parse the command line -> dispatch to a subcommand, which loads and
// validates its config, sets up, runs and writes results. Errors: one line on stderr,
// exit 2 for bad input, 3 for a failed system call, 1 for anything else; 75 (EX_TEMPFAIL) for a
// meta-training run or a tune/evaluate sweep stopped by SIGTERM/SIGUSR1 after writing its
// checkpoint or progress file.
#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <cstdio>

#include "app/config_command.hpp"
#include "app/evaluate_command.hpp"
#include "app/meta_train_command.hpp"
#include "app/stop_request.hpp"
#include "app/train_command.hpp"
#include "app/tune_command.hpp"
#include "dist/mpi_session.hpp"
#include "util/error.hpp"

namespace {

// --config/--set/--data-dir/--output/--quiet, shared by every subcommand that runs.
void add_run_options(CLI::App* command, l2o::RunOptions& options, bool config_required) {
  auto* config = command->add_option("--config,-c", options.config_file, "TOML config file");
  if (config_required) config->required();
  command->add_option("--set", options.overrides,
                      "override a key, e.g. --set task.batch_size=10 (repeatable)");
  command->add_option("--data-dir", options.data_dir, "data directory (overrides data.dir)");
  command->add_option("--output,-o", options.output, "output HDF5 file (overrides run.output)");
  command->add_flag("--quiet,-q", options.quiet, "no progress lines");
}

std::string join_argv(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  l2o::MpiSession mpi(&argc, &argv);
  // OpenMP parallelism is explicit (fixed chunks, fixed reduction order); Eigen's own GEMM
  // threading would split tiny products and change nothing but speed (environment.md §3).
  Eigen::setNbThreads(1);

  CLI::App app{
      "l2o: learning to optimize neural nets (Li & Malik 2017) -- meta-train learned "
      "optimizers and compare them with hand-designed ones.\nEvery subcommand takes "
      "--help. Configs are TOML; `l2o config --defaults` lists every key."};
  app.require_subcommand(1);
  l2o::RunOptions options;
  options.command_line = join_argv(argc, argv);

  auto* train = app.add_subcommand(
      "train",
      "train the base MLP with one hand-designed optimizer over several seeds; writes "
      "true-objective curves to HDF5");
  add_run_options(train, options, false);

  // tune and evaluate are sweeps of independent runs, saved as they finish (sweep_progress.hpp).
  const std::string sweep_saving =
      " Finished runs are saved to <run.output>.progress.h5 (continue a killed or stopped sweep "
      "with --resume; deleted once the output is written). On SIGTERM or SIGUSR1 it finishes the "
      "runs in flight, saves them and exits with 75 (EX_TEMPFAIL).";
  const std::string sweep_exit_codes =
      "Exit codes: 0 done, 2 bad input, 3 failed system call, " +
      std::to_string(l2o::kExitStopped) +
      " stopped by SIGTERM/SIGUSR1 after saving the progress file (continue with --resume).";
  const auto add_resume = [&](CLI::App* sweep) {
    sweep->add_flag("--resume", options.resume,
                    "continue from <run.output>.progress.h5 (same configuration): finished runs "
                    "are taken from it, the others run");
    sweep->footer(sweep_exit_codes);
  };
  auto* tune = app.add_subcommand(
      "tune",
      "grid-search the hand-designed optimizers on the training task ([task], [tune]); "
      "writes every curve and the chosen setting per optimizer to HDF5. With tune.refine = "
      "\"<coarse output>\" it refines: keeps the coarse runs and adds finer step lengths around "
      "each optimizer's coarse best (tune.refine_points_per_decade), choosing over both." +
          sweep_saving);
  add_run_options(tune, options, false);
  add_resume(tune);

  auto* evaluate = app.add_subcommand(
      "evaluate",
      "run the tuned optimizers (evaluate.tuned) and learned ones (evaluate.learned) on the "
      "tasks of [evaluate] over several seeds; writes true-objective curves to HDF5." +
          sweep_saving);
  add_run_options(evaluate, options, false);
  add_resume(evaluate);

  auto* meta_train = app.add_subcommand(
      "meta-train",
      "learn an optimizer on the training task ([task]); --method l2l (gps-spec.md §16: "
      "[l2l], [meta_train]) or gps (§12: [gps]; under mpirun, rollouts, group fits and policy "
      "gradients are spread over the ranks, §14, with the same results for any rank count). "
      "Checkpoints to meta_train.checkpoint (continue with --resume) and delivers the best "
      "validated optimizer to meta_train.model. On SIGTERM or SIGUSR1 it finishes the current "
      "episode(s) or GPS iteration, writes the checkpoint and exits with 75 (EX_TEMPFAIL).");
  add_run_options(meta_train, options, false);
  l2o::MetaTrainOptions meta_options;
  meta_train
      ->add_option("--method", meta_options.method,
                   "meta-training method (overrides meta_train.method): l2l or gps")
      ->check(CLI::IsMember({"l2l", "gps"}));
  meta_train->add_flag("--resume", meta_options.resume,
                       "continue from meta_train.checkpoint (same configuration)");
  meta_train->footer("Exit codes: 0 done, 2 bad input, 3 failed system call, " +
                     std::to_string(l2o::kExitStopped) +
                     " stopped by SIGTERM/SIGUSR1 after writing the checkpoint (resume with "
                     "--resume).");

  auto* config = app.add_subcommand("config", "print the documented defaults or check a config");
  bool defaults = false;
  std::string check_file;
  auto* defaults_flag =
      config->add_flag("--defaults", defaults, "print every key with its default and meaning");
  auto* check_option =
      config->add_option("--check", check_file, "validate FILE without running anything");
  config->add_option("--set", options.overrides, "override a key while checking (repeatable)");
  config->add_flag("--quiet,-q", options.quiet, "only report OK or the error");
  defaults_flag->excludes(check_option);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = mpi.is_root() ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (train->parsed()) return l2o::run_train_command(options, mpi);
    if (tune->parsed()) return l2o::run_tune_command(options, mpi);
    if (evaluate->parsed()) return l2o::run_evaluate_command(options, mpi);
    if (meta_train->parsed()) return l2o::run_meta_train_command(options, meta_options, mpi);
    if (config->parsed()) {
      if (defaults) return mpi.is_root() ? l2o::run_config_defaults() : 0;
      // (Not CLI11's require_option(1): it counts --set and --quiet too.)
      if (check_file.empty()) throw l2o::InputError("config: give --defaults or --check FILE");
      options.config_file = check_file;
      return l2o::run_config_check(options);
    }
  } catch (const l2o::InputError& e) {
    // Every rank sees the same bad input; one line from rank 0 is enough.
    if (mpi.is_root()) std::fprintf(stderr, "l2o: error: %s\n", e.what());
    return 2;
  } catch (const l2o::SystemError& e) {
    std::fprintf(stderr, "l2o: error (rank %d): %s\n", mpi.rank(), e.what());
    if (mpi.size() > 1) l2o::abort_all(3);
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "l2o: internal error (rank %d): %s\n", mpi.rank(), e.what());
    if (mpi.size() > 1) l2o::abort_all(1);
    return 1;
  }
  return 0;
}
