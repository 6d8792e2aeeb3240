// `l2o tune` with tune.refine (issue 19 item 5) end to end on a tiny grid: the refinement output
// keeps the coarse runs bitwise, adds the refinement step lengths around each coarse best, is the
// same on 1 and 2 ranks and after a stop and --resume, chooses over coarse and fine settings (a
// fine one wins here), evaluate then runs the fine choice; bad coarse files fail with one line.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "app/sweep_outputs.hpp"
#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::check_same_run;
using l2o::test::run_l2o;
using l2o::test::run_l2o_mpi;

// 3 sgd + 3x2 adam + 1 lbfgs settings x 2 seeds = 20 runs of 20 iterations on MNIST-8.
constexpr const char* kCoarse = R"([run]
iterations = 20
seed = 3
[task]
input_dim = 8
hidden = [8]
batch_size = 32
[tune]
optimizers = ["sgd", "adam", "lbfgs"]
learning_rates = [0.01, 0.1, 1.0]
adam_beta1 = [0.5, 0.9]
initial_steps = [1.0]
seeds = 2
record_every = 10
)";
constexpr int kCoarseSettings = 10;

std::string setting_name(int s) {
  char name[32];
  std::snprintf(name, sizeof name, "setting_%04d", s);
  return name;
}

// Writes the configs into `dir` and runs the coarse tune: dir/coarse.h5.
void coarse_tune(const fs::path& dir) {
  std::ofstream(dir / "coarse.toml") << kCoarse;
  std::ofstream(dir / "fine.toml") << kCoarse << "refine = \"" << (dir / "coarse.h5").string()
                                   << "\"\nrefine_points_per_decade = 4\n";
  const auto coarse =
      run_l2o("tune --quiet --config " + (dir / "coarse.toml").string() + " --data-dir " +
              l2o::test::data_dir() + " --output " + (dir / "coarse.h5").string());
  INFO(coarse.output);
  REQUIRE(coarse.exit_code == 0);
}

// `tune` with dir/fine.toml (the refinement of dir/coarse.h5), output `output`.
std::string fine_arguments(const fs::path& dir, const fs::path& output,
                           const std::string& extra = "") {
  return "tune --config " + (dir / "fine.toml").string() + " --data-dir " + l2o::test::data_dir() +
         " --output " + output.string() + extra;
}

}  // namespace

TEST_CASE("tune.refine keeps the coarse runs, chooses over coarse and fine, same on 1 and 2 ranks",
          "[app][mpi]") {
  const auto dir = l2o::test::scratch_dir("tune-refine");
  coarse_tune(dir);
  const auto two = run_l2o_mpi(2, fine_arguments(dir, dir / "fine2.h5", " --quiet"));
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  const auto one = run_l2o(fine_arguments(dir, dir / "fine1.h5"));
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  // Progress lines count the refinement runs only: 2 sgd + 2x2 adam + 2 lbfgs settings x 2 seeds.
  CHECK(one.output.find("[tune] mnist 8-8-10 batch 32: 18 settings (10 coarse from " +
                        (dir / "coarse.h5").string() + ", 8 refinement) x 2 seeds") !=
        std::string::npos);
  CHECK(one.output.find("[tune] 16/16 run 36/36 lbfgs initial_step=1.77828 seed 1") !=
        std::string::npos);

  const auto coarse = l2o::open_hdf5_for_reading((dir / "coarse.h5").string());
  const auto fine = l2o::open_hdf5_for_reading((dir / "fine1.h5").string());
  const auto fine2 = l2o::open_hdf5_for_reading((dir / "fine2.h5").string());
  CHECK(coarse.open_group("settings").open_group("setting_0000").integer_attribute("refinement") ==
        0);
  const auto refinement = fine.open_group("refinement");
  CHECK(refinement.string_attribute("coarse_file") == (dir / "coarse.h5").string());
  CHECK(refinement.integer_attribute("coarse_settings") == kCoarseSettings);
  CHECK(refinement.integer_attribute("points_per_decade") == 4);

  // The coarse settings keep their numbers and runs, bitwise; 1 and 2 ranks agree everywhere.
  const auto settings = fine.open_group("settings");
  CHECK_FALSE(settings.contains(setting_name(18)));
  std::map<std::string, std::pair<double, int>> best;  // optimizer: lowest score, its setting
  for (int s = 0; s < 18; ++s) {
    INFO(setting_name(s));
    const auto setting = settings.open_group(setting_name(s));
    CHECK(setting.integer_attribute("refinement") == (s >= kCoarseSettings ? 1 : 0));
    const auto twin = fine2.open_group("settings").open_group(setting_name(s));
    CHECK(setting.double_attribute("score") == twin.double_attribute("score"));
    for (const std::string run : {"run_0000", "run_0001"}) {
      check_same_run(setting.open_group(run), twin.open_group(run));
      if (s < kCoarseSettings)
        check_same_run(setting.open_group(run),
                       coarse.open_group("settings").open_group(setting_name(s)).open_group(run));
    }
    if (s < kCoarseSettings)
      CHECK(setting.double_attribute("score") ==
            coarse.open_group("settings").open_group(setting_name(s)).double_attribute("score"));
    const std::string optimizer = setting.string_attribute("optimizer");
    const double score = setting.double_attribute("score");
    if (best.count(optimizer) == 0 || score < best[optimizer].first) best[optimizer] = {score, s};
  }
  // Refinement step lengths: the coarse best times 10^(+-1/4), the other axis in full (adam).
  const auto coarse_chosen = coarse.open_group("chosen");
  const double sgd_best =
      coarse_chosen.open_group("sgd").double_attribute("optimizer.learning_rate");
  const double adam_best =
      coarse_chosen.open_group("adam").double_attribute("optimizer.learning_rate");
  const double quarter = std::pow(10.0, 0.25);
  CHECK(settings.open_group(setting_name(10)).double_attribute("optimizer.learning_rate") ==
        Approx(sgd_best / quarter).epsilon(1e-15));
  CHECK(settings.open_group(setting_name(11)).double_attribute("optimizer.learning_rate") ==
        Approx(sgd_best * quarter).epsilon(1e-15));
  for (int s = 12; s < 16; ++s) {
    const auto adam = settings.open_group(setting_name(s));
    CHECK(adam.string_attribute("optimizer") == "adam");
    CHECK(adam.double_attribute("optimizer.learning_rate") ==
          Approx(adam_best * (s < 14 ? 1.0 / quarter : quarter)).epsilon(1e-15));
    CHECK(adam.double_attribute("optimizer.beta1") == (s % 2 == 0 ? 0.5 : 0.9));
  }
  CHECK(settings.open_group(setting_name(17)).string_attribute("label") == "initial_step=1.77828");

  // The choice is the lowest score over coarse and fine settings; here a fine one wins for sgd
  // (coarse best 1, the edge of its grid) and lbfgs (one coarse step).
  for (const auto& [optimizer, lowest] : best) {
    INFO(optimizer);
    const auto chosen = fine.open_group("chosen").open_group(optimizer);
    CHECK(chosen.integer_attribute("setting") == lowest.second);
    CHECK(chosen.double_attribute("score") == lowest.first);
    CHECK(chosen.integer_attribute("refinement") == (lowest.second >= kCoarseSettings ? 1 : 0));
    CHECK(lowest.first <= coarse_chosen.open_group(optimizer).double_attribute("score"));
  }
  const auto fine_sgd = fine.open_group("chosen").open_group("sgd");
  REQUIRE(fine_sgd.integer_attribute("refinement") == 1);
  CHECK(fine.open_group("chosen").open_group("lbfgs").integer_attribute("refinement") == 1);
  CHECK(fine_sgd.double_attribute("score") <
        coarse_chosen.open_group("sgd").double_attribute("score"));

  // evaluate reads the refinement output unchanged and runs the fine choice.
  std::ofstream(dir / "evaluate.toml")
      << "[run]\nseed = 5\n[evaluate]\ntuned = \"" << (dir / "fine1.h5").string() << R"("
optimizers = ["sgd"]
datasets = ["mnist"]
architectures = ["8-8"]
batch_sizes = [16]
iterations = [5]
seeds = 1
)";
  const auto evaluate =
      run_l2o("evaluate --quiet --config " + (dir / "evaluate.toml").string() + " --data-dir " +
              l2o::test::data_dir() + " --output " + (dir / "results.h5").string());
  INFO(evaluate.output);
  REQUIRE(evaluate.exit_code == 0);
  CHECK(l2o::open_hdf5_for_reading((dir / "results.h5").string())
            .open_group("tasks")
            .open_group("mnist_8-8_b16_t5")
            .open_group("sgd")
            .double_attribute("optimizer.learning_rate") ==
        fine_sgd.double_attribute("optimizer.learning_rate"));
}

TEST_CASE("tune.refine stopped by SIGUSR1 resumes to the same output", "[app]") {
  const auto dir = l2o::test::scratch_dir("tune-refine-resume");
  coarse_tune(dir);
  // 16 points per decade: 7 x 2 step lengths, 56 settings x 2 seeds, long enough to stop.
  const std::string finer = " --set tune.refine_points_per_decade=16";
  REQUIRE(run_l2o(fine_arguments(dir, dir / "reference.h5", " --quiet" + finer)).exit_code == 0);
  const fs::path output = dir / "stopped.h5", progress = dir / "stopped.h5.progress.h5";
  const pid_t run = l2o::test::spawn_l2o(fine_arguments(dir, output, finer), dir / "log.txt");
  REQUIRE(l2o::test::wait_until(run, [&] { return fs::exists(progress); }));
  ::kill(run, SIGUSR1);
  REQUIRE(l2o::test::wait_for(run) == 75);
  CHECK_FALSE(fs::exists(output));
  // The continuation is checked against the coarse file first: another grid is refused by name.
  const auto other = run_l2o(
      fine_arguments(dir, output, " --quiet --resume" + finer + " --set 'tune.adam_beta1=[0.9]'"));
  CHECK(other.exit_code == 2);
  CHECK(other.output.find("l2o: error: tune.refine = \"" + (dir / "coarse.h5").string() +
                          "\": made with another tune.adam_beta1") == 0);
  const auto resumed = run_l2o(fine_arguments(dir, output, " --resume" + finer));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("finished runs from " + progress.string()) != std::string::npos);
  CHECK_FALSE(fs::exists(progress));
  const auto a = l2o::open_hdf5_for_reading(output.string()).open_group("settings");
  const auto b = l2o::open_hdf5_for_reading((dir / "reference.h5").string()).open_group("settings");
  CHECK_FALSE(a.contains(setting_name(kCoarseSettings + 56)));
  for (int s = 0; s < kCoarseSettings + 56; ++s)
    for (const std::string run_name : {"run_0000", "run_0001"})
      check_same_run(a.open_group(setting_name(s)).open_group(run_name),
                     b.open_group(setting_name(s)).open_group(run_name));
}

TEST_CASE("tune.refine rejects a missing, foreign, refined or mismatched coarse file with one line",
          "[app]") {
  const auto dir = l2o::test::scratch_dir("tune-refine-bad");
  coarse_tune(dir);
  const fs::path output = dir / "fine.h5";
  const auto error = [&](const std::string& coarse, const std::string& extra = "") {
    const auto outcome =
        run_l2o(fine_arguments(dir, output, " --quiet --set tune.refine=" + coarse + extra));
    CHECK(outcome.exit_code == 2);
    CHECK_FALSE(fs::exists(output));
    CHECK(std::count(outcome.output.begin(), outcome.output.end(), '\n') == 1);
    return outcome.output;
  };
  const std::string coarse = (dir / "coarse.h5").string();
  const std::string prefix = "l2o: error: tune.refine = \"" + coarse + "\": ";
  const std::string missing = (dir / "none.h5").string();
  CHECK(error(missing) ==
        "l2o: error: tune.refine = \"" + missing +
            "\": no such file; run the coarse `l2o tune` first (its run.output)\n");
  std::ofstream(dir / "text.h5") << "not HDF5\n";
  CHECK(error((dir / "text.h5").string())
            .starts_with("l2o: error: tune.refine = \"" + (dir / "text.h5").string() + "\": "));
  // An HDF5 file of another subcommand: a `l2o train` output.
  const auto train = run_l2o("train --quiet --data-dir " + l2o::test::data_dir() + " --output " +
                             (dir / "train.h5").string() +
                             " --set run.iterations=2 --set run.seeds=1 --set task.input_dim=8 "
                             "--set 'task.hidden=[8]'");
  REQUIRE(train.exit_code == 0);
  CHECK(error((dir / "train.h5").string()) ==
        "l2o: error: tune.refine = \"" + (dir / "train.h5").string() +
            "\": not an `l2o tune` output; give the coarse tune's run.output\n");
  // A refinement is not a coarse tune.
  REQUIRE(run_l2o(fine_arguments(dir, dir / "refined.h5", " --quiet")).exit_code == 0);
  CHECK(error((dir / "refined.h5").string()) == "l2o: error: tune.refine = \"" +
                                                    (dir / "refined.h5").string() +
                                                    "\": is itself a refinement (of \"" + coarse +
                                                    "\"); give the coarse tune's run.output\n");
  // Another task, iteration count, seed count or grid than the coarse tune's: named.
  for (const auto& [assignment, key] : std::vector<std::pair<std::string, std::string>>{
           {"run.iterations=30", "run.iterations"},
           {"task.batch_size=16", "task.batch_size"},
           {"tune.seeds=3", "tune.seeds"},
           {"'tune.learning_rates=[0.1, 1.0]'", "tune.learning_rates"}}) {
    INFO(assignment);
    CHECK(error(coarse, " --set " + assignment) ==
          prefix + "made with another " + key +
              "; refine a coarse tune of the same task, seeds and grid (compare " + coarse +
              ":/meta/config)\n");
  }
}
