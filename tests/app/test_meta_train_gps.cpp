// `l2o meta-train --method gps` end to end on the tiny task of gps_tiny_run.hpp: 3
// iterations write a "psd" model and a checkpoint; SIGTERM stops a run with exit 75 after an
// iteration and --resume ends bitwise identical to an uninterrupted run; bad input fails with
// one line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "app/gps_tiny_run.hpp"
#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::check_same_checkpoint;
using l2o::test::check_same_model;
using l2o::test::meta_train;
using l2o::test::run_l2o;
using l2o::test::tiny_dir;

}  // namespace

TEST_CASE("meta-train --method gps: 3 iterations, SIGTERM + --resume equals an uninterrupted run",
          "[app][gps]") {
  const fs::path reference = tiny_dir("meta-train-gps-reference");
  const auto outcome = run_l2o(meta_train(reference));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK(outcome.output.find("method      gps, 3 iterations") != std::string::npos);
  {
    const auto file = l2o::open_hdf5_for_reading((reference / "checkpoint.h5").string());
    const auto checkpoint = file.open_group("checkpoint");
    CHECK(checkpoint.string_attribute("method") == "gps");
    CHECK(checkpoint.integer_attribute("iteration") == 3);
    CHECK(checkpoint.integer_attribute("group_count") == 4);
    CHECK(file.open_group("meta").string_attribute("subcommand") == "meta-train");
    const auto model_file = l2o::open_hdf5_for_reading((reference / "model.h5").string());
    const auto model = model_file.open_group("model");
    CHECK(model.string_attribute("method") == "psd");
    CHECK(model.integer_attribute("iteration") == checkpoint.integer_attribute("best_iteration"));
    CHECK(model.double_attribute("evaluation_score") == checkpoint.double_attribute("best_score"));
    CHECK(model.open_group("group_0").string_attribute("role") == "layer1.weights");
    CHECK(model.open_group("group_3").string_attribute("role") == "layer2.biases");
    CHECK_FALSE(model.open_group("group_0").contains("adam_first_moment"));  // no training state
    CHECK(model_file.contains("task"));
    CHECK(model_file.open_group("meta").contains("config"));
  }

  // SIGTERM once the first checkpoint (after iteration 0) exists: the run finishes its current
  // iteration, checkpoints and exits 75; --resume completes it.
  const fs::path dir = tiny_dir("meta-train-gps-term");
  const std::string checkpoint = (dir / "checkpoint.h5").string();
  const auto stopped = l2o::test::run_shell(
      "sh -c '" + l2o::test::l2o_binary() + " " + meta_train(dir) + " & pid=$!; while [ ! -e " +
      checkpoint + " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; kill -TERM $pid; " +
      "wait $pid; echo \"exit $?\"'");
  INFO(stopped.output);
  REQUIRE(stopped.output.find("exit 75") != std::string::npos);
  CHECK(stopped.output.find("stop requested (signal 15)") != std::string::npos);
  CHECK(l2o::open_hdf5_for_reading(checkpoint)
            .open_group("checkpoint")
            .integer_attribute("iteration") < 3);
  const auto resumed = run_l2o(meta_train(dir, " --resume"));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  check_same_checkpoint(dir / "checkpoint.h5", reference / "checkpoint.h5");
  check_same_model(dir / "model.h5", reference / "model.h5");

  // Bad input: one line each, nothing written.
  const auto other = run_l2o(meta_train(reference, " --resume --set gps.kl_step=0.3"));
  CHECK(other.exit_code == 2);
  CHECK(other.output == "l2o: error: --resume: checkpoint \"" +
                            (reference / "checkpoint.h5").string() +
                            "\" was made with another gps.kl_step; resume with its configuration "
                            "(" +
                            (reference / "checkpoint.h5").string() +
                            ":/meta/config) or start afresh without --resume\n");
  const auto again = run_l2o(meta_train(reference));
  CHECK(again.exit_code == 2);
  CHECK(again.output.find("exists; continue it with --resume") != std::string::npos);
  // Training longer is a legitimate resume (gps.iterations may grow); l2l keys are irrelevant.
  const auto longer =
      run_l2o(meta_train(dir, " --resume --set gps.iterations=4 --set l2l.horizon=5"));
  INFO(longer.output);
  CHECK(longer.exit_code == 0);
  CHECK(l2o::open_hdf5_for_reading(checkpoint)
            .open_group("checkpoint")
            .integer_attribute("iteration") == 4);
}

TEST_CASE("meta-train --method gps: bad input fails with one line", "[app][gps]") {
  const fs::path dir = tiny_dir("meta-train-gps-hostile");
  const auto no_checkpoint = run_l2o(meta_train(dir, " --resume"));
  CHECK(no_checkpoint.exit_code == 2);
  CHECK(no_checkpoint.output == l2o::test::missing_checkpoint_error(dir));
  const auto stride = run_l2o(meta_train(dir, " --set gps.initial_score_stride=41"));
  CHECK(stride.exit_code == 2);
  CHECK(stride.output ==
        "l2o: error: gps.initial_score_stride = 41 exceeds gps.horizon = 40; make it at most the "
        "horizon\n");
  // The AdaGrad/RMSprop start (issue 16): it needs the adaptive features and learning rates.
  const auto start = run_l2o(meta_train(
      dir, " --set gps.initial_controller=adagrad --set 'gps.initial_group_learning_rates=[0.1]'"));
  CHECK(start.exit_code == 2);
  CHECK(start.output ==
        "l2o: error: GpsParams.initial_controller adagrad acts on the AdaGrad/RMSprop "
        "directions: it needs features = adaptive; fix the [gps] section\n");
  const auto rates =
      run_l2o(meta_train(dir, " --set gps.features=adaptive --set gps.initial_controller=rmsprop"));
  CHECK(rates.exit_code == 2);
  CHECK(rates.output ==
        "l2o: error: gps.initial_controller = \"rmsprop\" needs its learning rates: set "
        "gps.initial_group_learning_rates or gps.initial_tuned (an `l2o tune` output)\n");
  // Sample reuse (issue 16 item 4) extends the GMM prior's training set; the window has none.
  const auto reuse = run_l2o(meta_train(dir, " --set gps.sample_reuse=previous"));
  CHECK(reuse.exit_code == 2);
  CHECK(reuse.output ==
        "l2o: error: GpsParams.reuse_previous_samples (gps.sample_reuse = \"previous\") needs "
        "the GMM dynamics prior (gps.dynamics_prior = \"gmm\"): the window prior has no sample "
        "set to extend; fix the [gps] section\n");
  CHECK_FALSE(fs::exists(dir / "checkpoint.h5"));
  CHECK_FALSE(fs::exists(dir / "model.h5"));
}
