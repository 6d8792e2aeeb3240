// `l2o meta-train` with gps.local_optimizer = "es" (issue 19 item 1) on a tiny task (48-8-10 net,
// T = 40, 3 antithetic pairs, 2 generations): 1 rank with one thread and 2 ranks with two threads
// each write bitwise the same checkpoint and model, and a run stopped after generation 1 and
// resumed equals the uninterrupted run bitwise.
#include <catch2/catch.hpp>
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
