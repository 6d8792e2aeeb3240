// `l2o` on a user's own data (task.dataset = "h5:<file>", docs/data.md) and with other hidden
// activations (task.activation), end to end through the real binary: training, tune and evaluate,
// a learned optimizer on a tanh net, the one-line errors for a missing file and for a task too
// large for the memory, and docs/data.md's h5py example.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"
#include "test_support.hpp"
#include "user_data_file.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using l2o::test::run_l2o;

const std::string kTiny =
    " --quiet --set task.input_dim=8 --set 'task.hidden=[8]' --set task.batch_size=10 --set "
    "run.iterations=30 --set run.seeds=1 --set optimizer.name=adam";

std::string train_on(const fs::path& data, const fs::path& output, const std::string& extra = "") {
  return "train --set task.dataset=h5:" + data.string() + " --output " + output.string() + kTiny +
         extra;
}

// The first and last recorded true objective of run 0 of an `l2o train` output.
std::pair<double, double> objective_ends(const fs::path& output) {
  const auto curve = l2o::open_hdf5_for_reading(output.string())
                         .open_group("runs/run_0000")
                         .read_doubles("true_objective");
  return {curve.front(), curve.back()};
}

std::string task_attribute(const fs::path& output, const std::string& name) {
  return l2o::open_hdf5_for_reading(output.string()).open_group("task").string_attribute(name);
}

}  // namespace

TEST_CASE("l2o train runs on a user HDF5 file with each activation", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-train");
  l2o::test::write_valid_user_data(dir / "mine.h5");
  double relu_final = 0.0;
  for (const std::string activation : {"relu", "tanh", "sigmoid"}) {
    INFO(activation);
    const fs::path output = dir / (activation + ".h5");
    const auto outcome =
        run_l2o(train_on(dir / "mine.h5", output, " --set task.activation=" + activation));
    INFO(outcome.output);
    REQUIRE(outcome.exit_code == 0);
    CHECK(task_attribute(output, "dataset") == "h5:" + (dir / "mine.h5").string());
    CHECK(task_attribute(output, "activation") == activation);
    CHECK(task_attribute(output, "architecture") == "8-8-3");
    const auto [first, last] = objective_ends(output);
    CHECK(last < first);  // Adam lowers the training loss of the 3-class task
    if (activation == "relu")
      relu_final = last;
    else
      CHECK(last != relu_final);  // the hidden units changed the objective
  }
}

TEST_CASE("a missing user data file gets one line naming it, exit 2, no output", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-missing");
  const auto outcome = run_l2o(train_on(dir / "absent.h5", dir / "out.h5"));
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output ==
        "l2o: error: " + (dir / "absent.h5").string() +
            ": no such file; check task.dataset = \"h5:" + (dir / "absent.h5").string() +
            "\" (relative to the working directory)\n");
  CHECK_FALSE(fs::exists(dir / "out.h5"));
  const auto idx = run_l2o("train --set task.dataset=idx:" + (dir / "none").string() +
                           " --output " + (dir / "out.h5").string() + kTiny);
  CHECK(idx.exit_code == 2);
  CHECK_THAT(idx.output, Contains((dir / "none-images-idx3-ubyte").string() + ": no such file"));
  CHECK(std::count(idx.output.begin(), idx.output.end(), '\n') == 1);
}

TEST_CASE("a projection larger than the memory is refused with the bytes, not bad_alloc", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-memory");
  const auto outcome =
      run_l2o("train --quiet --data-dir " + l2o::test::data_dir() +
              " --set task.input_dim=100000 --output " + (dir / "out.h5").string());
  CHECK(outcome.exit_code == 2);
  CHECK_THAT(outcome.output,
             Contains("l2o: error: task.input_dim = 100000 on mnist/train (60000 examples of 784 "
                      "values): the random projection and projected data needs 96640045056 "
                      "bytes (96.6 GB) but "));
  CHECK(std::count(outcome.output.begin(), outcome.output.end(), '\n') == 1);
}

TEST_CASE("the learned optimizer trains a tanh net on user data", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-learned");
  l2o::test::write_valid_user_data(dir / "mine.h5");
  const fs::path output = dir / "psd.h5";
  // The committed PSD model (meta-trained on a 2-layer ReLU net) on a 2-layer tanh net.
  const auto outcome = run_l2o(train_on(dir / "mine.h5", output,
                                        " --set task.activation=tanh --set optimizer.model=" +
                                            l2o::test::source_dir() + "/models/psd_mnist48.h5"));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK(l2o::open_hdf5_for_reading(output.string())
            .open_group("task")
            .string_attribute("optimizer") == "psd");
  const auto [first, last] = objective_ends(output);
  CHECK(std::isfinite(last));
  CHECK(last < first);
  // A model file that is not there is named before any data is read.
  const auto missing = run_l2o(train_on(dir / "absent.h5", dir / "x.h5",
                                        " --set optimizer.model=" + (dir / "none.h5").string()));
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("l2o: error: optimizer.model: " + (dir / "none.h5").string() +
                                      ": no such model file"));
}

TEST_CASE("tune and evaluate run on a user HDF5 file with tanh units", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-sweeps");
  l2o::test::write_valid_user_data(dir / "mine.h5");
  const std::string data = "h5:" + (dir / "mine.h5").string();
  std::ofstream(dir / "sweep.toml") << "[run]\niterations = 20\n[task]\ndataset = \"" << data
                                    << "\"\ninput_dim = 8\nhidden = [8]\nbatch_size = 10\n"
                                       "activation = \"tanh\"\n[tune]\noptimizers = [\"adam\"]\n"
                                       "seeds = 1\nlearning_rates = [0.01, 0.1]\n"
                                       "[evaluate]\noptimizers = [\"adam\"]\nlearned = [\""
                                    << l2o::test::source_dir() << "/models/psd_mnist48.h5\"]\n"
                                    << "datasets = [\"" << data
                                    << "\"]\narchitectures = [\"8-8\"]\n"
                                       "batch_sizes = [10]\niterations = [20]\nseeds = 1\n";
  const std::string config = " --quiet --config " + (dir / "sweep.toml").string();
  const auto tune = run_l2o("tune" + config + " --output " + (dir / "tuned.h5").string());
  INFO(tune.output);
  REQUIRE(tune.exit_code == 0);
  const auto evaluate =
      run_l2o("evaluate" + config + " --set evaluate.tuned=" + (dir / "tuned.h5").string() +
              " --output " + (dir / "eval.h5").string());
  INFO(evaluate.output);
  REQUIRE(evaluate.exit_code == 0);
  const auto tasks = l2o::open_hdf5_for_reading((dir / "eval.h5").string()).open_group("tasks");
  // The path's slashes do not nest groups; the task records its data set and activation.
  std::string name = data + "_8-8_tanh_b10_t20";
  std::replace(name.begin(), name.end(), '/', '_');
  REQUIRE(tasks.contains(name));
  CHECK(tasks.open_group(name).string_attribute("dataset") == data);
  CHECK(tasks.open_group(name).string_attribute("activation") == "tanh");
  CHECK(tasks.open_group(name).string_attribute("label") == data + " 8-8-3 tanh batch 10");
}

TEST_CASE("docs/data.md's h5py example writes a file l2o trains on", "[app]") {
  std::ifstream doc(l2o::test::source_dir() + "/docs/data.md");
  std::stringstream text;
  text << doc.rdbuf();
  std::smatch example;
  const std::string markdown = text.str();
  REQUIRE(std::regex_search(markdown, example, std::regex("```python\n([^`]*)```")));
  const fs::path dir = l2o::test::scratch_dir("user-docs");
  std::ofstream(dir / "example.py") << example[1].str();
  const auto python =
      l2o::test::run_shell("cd " + dir.string() + " && /usr/bin/python3 example.py");
  INFO(python.output);
  REQUIRE(python.exit_code == 0);
  const auto outcome = run_l2o(train_on(dir / "my_data.h5", dir / "out.h5"));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK(task_attribute(dir / "out.h5", "architecture") == "8-8-3");
}

TEST_CASE("meta-train learns an optimizer on a user HDF5 file with sigmoid units", "[app]") {
  const fs::path dir = l2o::test::scratch_dir("user-meta-train");
  l2o::test::write_valid_user_data(dir / "mine.h5");
  std::ofstream(dir / "l2l.toml") << "[run]\nseed = 7\n[task]\ndataset = \"h5:"
                                  << (dir / "mine.h5").string()
                                  << "\"\nactivation = \"sigmoid\"\ninput_dim = 8\nhidden = [8]\n"
                                     "batch_size = 10\n[meta_train]\ncheckpoint_every = 2\n"
                                     "[l2l]\nepisodes = 4\nhorizon = 10\ntruncation = 5\n"
                                     "validation_interval = 2\nvalidation_episodes = 1\n";
  const auto outcome =
      run_l2o("meta-train --method l2l --quiet --config " + (dir / "l2l.toml").string() +
              " --set meta_train.checkpoint=" + (dir / "checkpoint.h5").string() +
              " --set meta_train.model=" + (dir / "model.h5").string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK_THAT(outcome.output, Contains("8-8-3 sigmoid batch 10"));
  // The optimizer it learned then trains the same task.
  const auto train = run_l2o(train_on(
      dir / "mine.h5", dir / "out.h5",
      " --set task.activation=sigmoid --set optimizer.model=" + (dir / "model.h5").string()));
  INFO(train.output);
  CHECK(train.exit_code == 0);
}
