// `l2o meta-train --method gps` end to end on a tiny task (48-8-10 net on MNIST, T = 40, N = 4,
// C_max = 16, R = 2, a 16-cell LSTM with 10 Adam steps per update, a 2 x 2 initial grid): 3
// iterations write a "psd" model and a checkpoint; SIGTERM stops a run with exit 75 after an
// iteration and --resume ends bitwise identical to an uninterrupted run; bad input fails with
// one line.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::run_l2o;

const char* kTinyGps = R"([run]
seed = 11
[task]
input_dim = 48
hidden = [8]
batch_size = 64
[meta_train]
method = "gps"
cost_examples = 1000
[gps]
iterations = 3
horizon = 40
rollouts = 4
recorded_coordinates = 16
inner_iterations = 2
evaluation_rollouts = 2
policy_hidden_size = 16
policy_max_steps = 10
initial_learning_rates = [0.3, 1.0]
initial_momentums = [0.0, 0.5]
initial_pilot_rollouts = 1
)";

fs::path tiny_dir(const std::string& name) {
  return l2o::test::meta_train_dir(name, kTinyGps);
}

// The meta-train command line for the run in `dir`.
std::string meta_train(const fs::path& dir, const std::string& extra = "") {
  return l2o::test::meta_train_arguments(dir, extra);
}

// Every dataset and attribute below `a` and `b` (recursively through the group_<g>
// sub-groups the checkpoint and model layouts name) agrees bitwise.
void check_same_group(const l2o::Hdf5Group& a, const l2o::Hdf5Group& b,
                      const std::vector<std::string>& datasets,
                      const std::vector<std::string>& doubles,
                      const std::vector<std::string>& integers) {
  for (const std::string& name : datasets) {
    INFO(a.where(name));
    REQUIRE(a.contains(name) == b.contains(name));
    if (a.contains(name)) CHECK(a.read_doubles(name) == b.read_doubles(name));
  }
  for (const std::string& name : doubles) {
    INFO(a.where(name));
    const double x = a.double_attribute(name), y = b.double_attribute(name);
    CHECK((x == y || (std::isnan(x) && std::isnan(y))));
  }
  for (const std::string& name : integers)
    CHECK(a.integer_attribute(name) == b.integer_attribute(name));
}

// The whole GPS training state of two checkpoint files agrees bitwise (gps_checkpoint_file.hpp).
void check_same_checkpoint(const fs::path& a_path, const fs::path& b_path) {
  const auto a = l2o::open_hdf5_for_reading(a_path.string()).open_group("checkpoint");
  const auto b = l2o::open_hdf5_for_reading(b_path.string()).open_group("checkpoint");
  check_same_group(a, b, {}, {"initial_alpha", "initial_beta", "best_score"},
                   {"seed", "iteration", "best_iteration", "group_count"});
  const std::int64_t groups = a.integer_attribute("group_count");
  for (std::int64_t g = 0; g < groups; ++g) {
    const std::string name = "group_" + std::to_string(g);
    const auto x = a.open_group(name), y = b.open_group(name);
    check_same_group(x, y, {"state_scale", "lambda", "nu"},
                     {"eta", "step_multiplier", "cost_normaliser", "action_scale"}, {});
    for (const std::string psi :
         {"sampling_policy", "previous_sampling_policy", "previous_linearisation"})
      check_same_group(x.open_group(psi), y.open_group(psi), {"gain", "bias", "variance"}, {}, {});
    check_same_group(x.open_group("previous_dynamics"), y.open_group("previous_dynamics"),
                     {"transition", "offset", "noise_cov", "initial_mean", "initial_cov"}, {}, {});
    check_same_group(x.open_group("previous_cost"), y.open_group("previous_cost"),
                     {"hessian", "gradient"}, {}, {});
    check_same_group(x.open_group("policy"), y.open_group("policy"),
                     {"weights", "observation_scale", "observation_offset", "adam_first_moment",
                      "adam_second_moment"},
                     {"action_scale"}, {"hidden_size", "adam_step"});
  }
}

void check_same_model(const fs::path& a_path, const fs::path& b_path) {
  const auto a = l2o::open_hdf5_for_reading(a_path.string()).open_group("model");
  const auto b = l2o::open_hdf5_for_reading(b_path.string()).open_group("model");
  CHECK(a.string_attribute("method") == "psd");
  check_same_group(a, b, {}, {"evaluation_score"}, {"iteration", "group_count"});
  for (std::int64_t g = 0; g < a.integer_attribute("group_count"); ++g) {
    const std::string name = "group_" + std::to_string(g);
    const auto x = a.open_group(name), y = b.open_group(name);
    CHECK(x.string_attribute("role") == y.string_attribute("role"));
    check_same_group(x, y, {"weights", "observation_scale", "observation_offset"}, {"action_scale"},
                     {"hidden_size"});
  }
}

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
  CHECK(no_checkpoint.output == "l2o: error: --resume: no checkpoint \"" +
                                    (dir / "checkpoint.h5").string() +
                                    "\" (meta_train.checkpoint); run without --resume to start "
                                    "training\n");
  const auto stride = run_l2o(meta_train(dir, " --set gps.initial_score_stride=41"));
  CHECK(stride.exit_code == 2);
  CHECK(stride.output ==
        "l2o: error: gps.initial_score_stride = 41 exceeds gps.horizon = 40; make it at most the "
        "horizon\n");
  CHECK_FALSE(fs::exists(dir / "checkpoint.h5"));
  CHECK_FALSE(fs::exists(dir / "model.h5"));
}

TEST_CASE("meta-train --method gps on 2 ranks fails with one line", "[app][mpi]") {
  const fs::path dir = tiny_dir("meta-train-gps-ranks");
  const auto ranks = l2o::test::run_l2o_mpi(2, meta_train(dir));
  CHECK(ranks.exit_code != 0);
  CHECK(ranks.output.find("l2o: error: meta_train.method = \"gps\": GPS meta-training runs on one "
                          "rank for now; run it as a single process (without mpirun, or with -np "
                          "1)\n") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "checkpoint.h5"));
}
