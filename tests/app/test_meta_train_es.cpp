// `l2o meta-train` with gps.local_optimizer = "es" (issue 19 items 1-2) on a tiny task (48-8-10
// net, T = 40, 3 antithetic pairs, 2 generations, then 2 imitation rounds): 1 rank with one thread
// and 2 ranks with two threads each write bitwise the same checkpoint and model, and a run
// stopped after generation 1 (or imitation round 1) and resumed equals the uninterrupted run
// bitwise.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>

#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kTinyEs = R"([run]
seed = 5
[task]
input_dim = 48
hidden = [8]
batch_size = 64
[meta_train]
method = "gps"
cost_examples = 1000
[gps]
local_optimizer = "es"
iterations = 2
horizon = 40
initial_score_stride = 10
es_pairs = 3
es_knots = 3
es_sigma = 0.2
es_learning_rate = 0.3
)";

void check_same_run(const fs::path& a, const fs::path& b) {
  const l2o::Hdf5Group ca =
      l2o::open_hdf5_for_reading((a / "checkpoint.h5").string()).open_group("checkpoint");
  const l2o::Hdf5Group cb =
      l2o::open_hdf5_for_reading((b / "checkpoint.h5").string()).open_group("checkpoint");
  CHECK(ca.integer_attribute("generation") == 2);
  CHECK(cb.integer_attribute("generation") == 2);
  for (const char* name : {"theta", "mean_cost", "step_norm"})
    CHECK(ca.read_doubles(name) == cb.read_doubles(name));
  const l2o::Hdf5Group ma =
      l2o::open_hdf5_for_reading((a / "model.h5").string()).open_group("model");
  const l2o::Hdf5Group mb =
      l2o::open_hdf5_for_reading((b / "model.h5").string()).open_group("model");
  CHECK(ma.string_attribute("method") == "es");
  for (const char* name : {"log_rate", "momentum", "decay"})
    CHECK(ma.read_doubles(name) == mb.read_doubles(name));
}

// The imitation phase on top: pi (8 cells) learns psi over 2 rounds of 3 rollouts, 2 by pi in
// round 1; psi goes to psi.h5 beside the checkpoint.
std::string imitation_settings(const fs::path& dir) {
  return " --set gps.imitation_rounds=2 --set gps.imitation_rollouts=3"
         " --set gps.imitation_evaluation_rollouts=3 --set gps.recorded_coordinates=8"
         " --set gps.policy_hidden_size=8 --set gps.policy_max_steps=20"
         " --set gps.features=adaptive --set gps.es_model=" +
         (dir / "psi.h5").string();
}

void check_same_imitation(const fs::path& a, const fs::path& b) {
  const l2o::Hdf5Group ia = l2o::open_hdf5_for_reading((a / "checkpoint.h5").string())
                                .open_group("checkpoint")
                                .open_group("imitation");
  const l2o::Hdf5Group ib = l2o::open_hdf5_for_reading((b / "checkpoint.h5").string())
                                .open_group("checkpoint")
                                .open_group("imitation");
  CHECK(ia.integer_attribute("round") == 2);
  CHECK(ib.integer_attribute("round") == 2);
  for (const char* name : {"psi_cost", "policy_loss", "pi_cost", "gap"})
    CHECK(ia.read_doubles(name) == ib.read_doubles(name));
  for (const char* name : {"policy_0", "policy_3"})
    CHECK(ia.open_group(name).read_doubles("weights") ==
          ib.open_group(name).read_doubles("weights"));
  const l2o::Hdf5Group ma =
      l2o::open_hdf5_for_reading((a / "model.h5").string()).open_group("model");
  const l2o::Hdf5Group mb =
      l2o::open_hdf5_for_reading((b / "model.h5").string()).open_group("model");
  CHECK(ma.string_attribute("method") == "psd");
  CHECK(ma.open_group("relative").read_doubles("momentum") ==
        mb.open_group("relative").read_doubles("momentum"));
  CHECK(ma.open_group("group_1").read_doubles("weights") ==
        mb.open_group("group_1").read_doubles("weights"));
  CHECK(l2o::open_hdf5_for_reading((a / "psi.h5").string())
            .open_group("model")
            .string_attribute("method") == "es");
}

// A run made in two parts, the first with `first_settings`, then --resume with the imitation
// settings, equals the uninterrupted run in `reference`; returns its directory.
fs::path check_resumed_imitation(const fs::path& reference, const std::string& name,
                                 const std::string& first_settings) {
  const fs::path dir = l2o::test::meta_train_dir(name, kTinyEs);
  const auto first = l2o::test::run_l2o(
      l2o::test::meta_train_arguments(dir, imitation_settings(dir) + first_settings));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto second = l2o::test::run_l2o(
      l2o::test::meta_train_arguments(dir, imitation_settings(dir) + " --resume"));
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  check_same_imitation(reference, dir);
  return dir;
}

}  // namespace

TEST_CASE("meta-train es: 1 vs 2 ranks and stop/resume are bitwise the same", "[app][es][mpi]") {
  const fs::path one = l2o::test::meta_train_dir("meta-train-es-np1", kTinyEs);
  const auto a = l2o::test::run_l2o_mpi(1, l2o::test::meta_train_arguments(one));
  INFO(a.output);
  REQUIRE(a.exit_code == 0);
  CHECK(a.output.find("method      gps-es, 2 generations") != std::string::npos);
  // theta moved: the search did something.
  const auto theta = l2o::open_hdf5_for_reading((one / "checkpoint.h5").string())
                         .open_group("checkpoint")
                         .read_doubles("theta");
  double norm = 0.0;
  for (double v : theta) norm += v * v;
  CHECK(norm > 0.0);

  const fs::path two = l2o::test::meta_train_dir("meta-train-es-np2", kTinyEs);
  const auto b = l2o::test::run_shell("OMP_NUM_THREADS=2 " + l2o::test::source_dir() +
                                      "/scripts/mpirun.sh -np 2 " + l2o::test::l2o_binary() + " " +
                                      l2o::test::meta_train_arguments(two));
  INFO(b.output);
  REQUIRE(b.exit_code == 0);
  check_same_run(one, two);

  const fs::path resumed = l2o::test::meta_train_dir("meta-train-es-resume", kTinyEs);
  const auto first =
      l2o::test::run_l2o(l2o::test::meta_train_arguments(resumed, " --set gps.iterations=1"));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto second = l2o::test::run_l2o(l2o::test::meta_train_arguments(resumed, " --resume"));
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  check_same_run(one, resumed);
}

TEST_CASE("meta-train es with imitation: 1 vs 2 ranks and stop/resume are bitwise the same",
          "[app][es][imitation][mpi]") {
  const fs::path one = l2o::test::meta_train_dir("meta-train-imitation-np1", kTinyEs);
  const auto a =
      l2o::test::run_l2o_mpi(1, l2o::test::meta_train_arguments(one, imitation_settings(one)));
  INFO(a.output);
  REQUIRE(a.exit_code == 0);
  CHECK(a.output.find("2 imitation rounds") != std::string::npos);
  const auto gaps = l2o::open_hdf5_for_reading((one / "checkpoint.h5").string())
                        .open_group("checkpoint")
                        .open_group("imitation")
                        .read_doubles("gap");
  REQUIRE(gaps.size() == 2);
  CHECK(std::isfinite(gaps[1]));

  const fs::path two = l2o::test::meta_train_dir("meta-train-imitation-np2", kTinyEs);
  const auto b =
      l2o::test::run_shell("OMP_NUM_THREADS=2 " + l2o::test::source_dir() +
                           "/scripts/mpirun.sh -np 2 " + l2o::test::l2o_binary() + " " +
                           l2o::test::meta_train_arguments(two, imitation_settings(two)));
  INFO(b.output);
  REQUIRE(b.exit_code == 0);
  check_same_imitation(one, two);

  const fs::path resumed =
      check_resumed_imitation(one, "meta-train-imitation-resume", " --set gps.imitation_rounds=1");
  // A started imitation keeps its schedule.
  const auto changed = l2o::test::run_l2o(l2o::test::meta_train_arguments(
      resumed,
      imitation_settings(resumed) +
          " --set gps.imitation_rounds=3 --set gps.imitation_policy_fraction=0.25 --resume"));
  CHECK(changed.exit_code == 2);
  CHECK(changed.output.find("started its imitation phase with another "
                            "gps.imitation_policy_fraction") != std::string::npos);

  // Generations without imitation, then imitation added on --resume: the same run.
  check_resumed_imitation(one, "meta-train-imitation-later", " --set gps.imitation_rounds=0");
}

TEST_CASE("meta-train es with imitation: psi needs its own file", "[app][es][imitation]") {
  const fs::path dir = l2o::test::meta_train_dir("meta-train-imitation-no-psi", kTinyEs);
  const auto run = l2o::test::run_l2o(l2o::test::meta_train_arguments(
      dir, " --set gps.imitation_rounds=1 --set gps.features=adaptive"));
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("gps.es_model is empty") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "model.h5"));
}

TEST_CASE("meta-train es: task variants join the run, bad variants get one line",
          "[app][es][variants]") {
  const fs::path dir = l2o::test::meta_train_dir("meta-train-es-variants", kTinyEs);
  const auto ok = l2o::test::run_l2o(l2o::test::meta_train_arguments(
      dir,
      " --set gps.iterations=1 --set 'gps.es_task_variants=[\"task.batch_size=10; "
      "task.projection_seed=2\", \"task.hidden=[12]\"]'",
      false));
  INFO(ok.output);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.output.find("and 2 variant(s)") != std::string::npos);
  for (const auto& [variant, message] :
       {std::pair<std::string, std::string>{"task.hidden=[8, 8]", "other parameter groups"},
        {"run.seed=3", "is not a task.<key>=<value> assignment"},
        {"task.batch_size=0", "task.batch_size must be"}}) {
    const fs::path bad = l2o::test::meta_train_dir("meta-train-es-bad-variant", kTinyEs);
    const auto run = l2o::test::run_l2o(l2o::test::meta_train_arguments(
        bad, " --set 'gps.es_task_variants=[\"" + variant + "\"]'"));
    INFO(run.output);
    CHECK(run.exit_code == 2);
    CHECK(run.output.find(message) != std::string::npos);
  }
}
