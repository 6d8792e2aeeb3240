// `l2o tune` and `l2o evaluate` end to end on a tiny grid and tiny tasks: outputs are bitwise
// identical under mpirun -np 1 and -np 2, a diverging setting is recorded (not a crash) and never
// chosen, evaluate uses the chosen settings, and bad input fails with one line.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"
#include "run_l2o.hpp"
#include "sweep_outputs.hpp"
#include "test_support.hpp"

namespace {

using l2o::test::check_same_run;
using l2o::test::run_l2o_mpi;
using l2o::test::run_shell;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

const char* kTuneConfig = R"([run]
iterations = 20
seed = 3
[task]
input_dim = 8
hidden = [8]
batch_size = 32
[tune]
optimizers = ["sgd", "adam", "lbfgs"]
learning_rates = [0.01, 0.3, 1000.0]
adam_beta1 = [0.9]
initial_steps = [1.0]
seeds = 2
record_every = 10
)";

}  // namespace

TEST_CASE("tune and evaluate have --help", "[app]") {
  for (const std::string sub : {"tune", "evaluate"}) {
    const auto outcome = run_shell(l2o::test::l2o_binary() + " " + sub + " --help");
    INFO(sub);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.output.find("--config") != std::string::npos);
  }
}

TEST_CASE("tune then evaluate: identical for -np 1 and -np 2, divergence recorded", "[app][mpi]") {
  const auto dir = l2o::test::scratch_dir("tune-evaluate");
  write_text(dir / "tune.toml", kTuneConfig);
  const std::string tune = "tune --quiet --config " + (dir / "tune.toml").string() +
                           " --data-dir " + l2o::test::data_dir() + " --output ";
  const auto two = run_l2o_mpi(2, tune + (dir / "tuned2.h5").string());
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  REQUIRE(run_l2o_mpi(1, tune + (dir / "tuned1.h5").string()).exit_code == 0);

  const auto a = l2o::open_hdf5_for_reading((dir / "tuned2.h5").string());
  const auto b = l2o::open_hdf5_for_reading((dir / "tuned1.h5").string());
  CHECK(a.open_group("meta").string_attribute("subcommand") == "tune");
  CHECK(a.open_group("task").string_attribute("label") == "mnist 8-8-10 batch 32");
  // Settings: sgd x 3 learning rates, adam x 3, lbfgs x 1, in that order.
  const auto settings_a = a.open_group("settings"), settings_b = b.open_group("settings");
  CHECK_FALSE(settings_a.contains("setting_0007"));
  for (int s = 0; s < 7; ++s) {
    char name[32];
    std::snprintf(name, sizeof name, "setting_%04d", s);
    const auto sa = settings_a.open_group(name), sb = settings_b.open_group(name);
    CHECK(sa.double_attribute("score") == sb.double_attribute("score"));
    for (const std::string run : {"run_0000", "run_0001"})
      check_same_run(sa.open_group(run), sb.open_group(run));
  }
  // sgd with learning rate 1000 diverges on every seed: recorded, scored +inf, not chosen.
  const auto exploded = settings_a.open_group("setting_0002");
  CHECK(exploded.string_attribute("label") == "learning_rate=1000");
  CHECK(exploded.integer_attribute("diverged_runs") == 2);
  CHECK(std::isinf(exploded.double_attribute("score")));
  const auto record = l2o::read_run_record(exploded.open_group("run_0000"));
  CHECK(record.diverged_at > 0);
  CHECK(record.recorded_iterations.back() == record.diverged_at);
  // A finite run records 0, 10, 20.
  CHECK(l2o::read_run_record(settings_a.open_group("setting_0000").open_group("run_0001"))
            .recorded_iterations == std::vector<std::int64_t>{0, 10, 20});
  // The choice is the lowest score among sgd's three settings.
  const auto chosen_sgd = a.open_group("chosen").open_group("sgd");
  const auto s = chosen_sgd.integer_attribute("setting");
  CHECK(s >= 0);
  CHECK(s < 2);
  const double best = chosen_sgd.double_attribute("score");
  for (const std::string other : {"setting_0000", "setting_0001", "setting_0002"})
    CHECK(best <= settings_a.open_group(other).double_attribute("score"));
  CHECK(chosen_sgd.double_attribute("optimizer.learning_rate") == (s == 0 ? 0.01 : 0.3));
  CHECK(a.open_group("chosen").open_group("lbfgs").double_attribute("optimizer.memory") == 10.0);

  // evaluate with the tuned settings on two tiny tasks.
  write_text(dir / "evaluate.toml", R"([run]
seed = 5
[evaluate]
tuned = ")" + (dir / "tuned1.h5").string() +
                                        R"("
optimizers = ["sgd", "lbfgs"]
datasets = ["mnist", "fer2013"]
architectures = ["8-8"]
batch_sizes = [16]
iterations = [12]
seeds = 2
)");
  const std::string evaluate = "evaluate --quiet --config " + (dir / "evaluate.toml").string() +
                               " --data-dir " + l2o::test::data_dir() + " --output ";
  const auto etwo = run_l2o_mpi(2, evaluate + (dir / "results2.h5").string());
  INFO(etwo.output);
  REQUIRE(etwo.exit_code == 0);
  REQUIRE(run_l2o_mpi(1, evaluate + (dir / "results1.h5").string()).exit_code == 0);
  const auto ra = l2o::open_hdf5_for_reading((dir / "results2.h5").string()).open_group("tasks");
  const auto rb = l2o::open_hdf5_for_reading((dir / "results1.h5").string()).open_group("tasks");
  for (const std::string task : {"mnist_8-8_b16_t12", "fer2013_8-8_b16_t12"}) {
    INFO(task);
    REQUIRE(ra.contains(task));
    CHECK(ra.open_group(task).integer_attribute("iterations") == 12);
    for (const std::string optimizer : {"sgd", "lbfgs"}) {
      const auto ga = ra.open_group(task).open_group(optimizer);
      CHECK(ga.integer_attribute("index") == (optimizer == "sgd" ? 0 : 1));
      for (const std::string run : {"run_0000", "run_0001"}) {
        check_same_run(ga.open_group(run),
                       rb.open_group(task).open_group(optimizer).open_group(run));
        const auto r = l2o::read_run_record(ga.open_group(run));
        CHECK(r.true_objective.size() == 13);  // every iteration, record_every = 1
        CHECK(r.minibatch_objective.size() == 12);
      }
    }
  }
  CHECK(ra.open_group("fer2013_8-8_b16_t12").string_attribute("label") == "fer2013 8-8-7 batch 16");
  CHECK(ra.open_group("mnist_8-8_b16_t12")
            .open_group("sgd")
            .double_attribute("optimizer.learning_rate") ==
        chosen_sgd.double_attribute("optimizer.learning_rate"));
}

TEST_CASE("tune and evaluate reject bad input with one line", "[app]") {
  const auto dir = l2o::test::scratch_dir("tune-bad");
  const std::string l2o = l2o::test::l2o_binary();
  const auto bad_optimizer = run_shell(l2o + " tune --quiet --set 'tune.optimizers=[\"newton\"]'");
  CHECK(bad_optimizer.exit_code == 2);
  CHECK(bad_optimizer.output.find(
            "l2o: error: --set tune.optimizers=[\"newton\"]: tune.optimizers must be") == 0);
  const auto missing = run_shell(l2o + " evaluate --quiet --output " + (dir / "r.h5").string() +
                                 " --set evaluate.tuned=" + (dir / "none.h5").string());
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == "l2o: error: evaluate.tuned = \"" + (dir / "none.h5").string() +
                              "\": no such file; run `l2o tune` first or set evaluate.tuned\n");
  const auto architecture =
      run_shell(l2o + " evaluate --quiet --output " + (dir / "r.h5").string() +
                " --set 'evaluate.architectures=[\"48\"]'");
  CHECK(architecture.exit_code == 2);
  CHECK(architecture.output ==
        "l2o: error: evaluate.architectures: \"48\" needs an input size and at least one hidden "
        "size\n");
  CHECK_FALSE(std::filesystem::exists(dir / "r.h5"));
}
