// `l2o meta-train --method l2l` end to end on a tiny task: a run killed with SIGKILL at several
// points and resumed ends bitwise identical to an uninterrupted one and never leaves a
// half-written file under a final name; SIGTERM stops it with exit 75 after a checkpoint;
// 2 ranks with a meta-batch of 2 give the model of 1 rank; the delivered model runs in
// `l2o evaluate`; bad input fails with one line.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "eval/run_record_io.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::check_absent_or_complete;
using l2o::test::run_l2o;
using l2o::test::spawn_l2o;
using l2o::test::wait_for;

// The meta-train command line for the run in `dir`.
std::string meta_train(const fs::path& dir, const std::string& extra = "") {
  return l2o::test::meta_train_arguments(dir, extra);
}

fs::path tiny_dir(const std::string& name) {
  return l2o::test::meta_train_dir(name, l2o::test::kTinyL2l);
}

// Every dataset and attribute of the training state (not the provenance) agrees bitwise.
void check_same_checkpoint(const fs::path& a_path, const fs::path& b_path) {
  const auto a = l2o::open_hdf5_for_reading(a_path.string()).open_group("checkpoint");
  const auto b = l2o::open_hdf5_for_reading(b_path.string()).open_group("checkpoint");
  for (const std::string name : {"parameters", "adam_first_moment", "adam_second_moment",
                                 "best_parameters", "validation_losses", "episode_meta_losses"}) {
    INFO(name);
    CHECK(a.read_doubles(name) == b.read_doubles(name));
  }
  for (const std::string name : {"episodes_done", "adam_iteration"})
    CHECK(a.integer_attribute(name) == b.integer_attribute(name));
  CHECK(a.double_attribute("best_validation_loss") == b.double_attribute("best_validation_loss"));
}

void check_same_model(const fs::path& a_path, const fs::path& b_path) {
  const auto a = l2o::open_hdf5_for_reading(a_path.string()).open_group("model");
  const auto b = l2o::open_hdf5_for_reading(b_path.string()).open_group("model");
  CHECK(a.read_doubles("parameters") == b.read_doubles("parameters"));
  for (const std::string name : {"best_validation_loss", "preprocess_p", "output_scale"})
    CHECK(a.double_attribute(name) == b.double_attribute(name));
  CHECK(a.integer_attribute("episodes_trained") == b.integer_attribute("episodes_trained"));
  CHECK(a.string_attribute("method") == "l2l");
}

// The uninterrupted reference run in `dir`; returns its wall time in seconds.
double reference_run(const fs::path& dir) {
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = run_l2o(meta_train(dir));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("meta-train --help documents --method, --resume and exit code 75", "[app]") {
  const auto outcome = run_l2o("meta-train --help");
  CHECK(outcome.exit_code == 0);
  for (const std::string text : {"--method", "--resume", "--config", "75", "SIGUSR1"})
    CHECK(outcome.output.find(text) != std::string::npos);
}

TEST_CASE("meta-train killed with SIGKILL and resumed equals an uninterrupted run", "[app]") {
  const fs::path reference = tiny_dir("meta-train-reference");
  const double seconds = reference_run(reference);
  const auto summary = l2o::open_hdf5_for_reading((reference / "checkpoint.h5").string());
  CHECK(summary.open_group("checkpoint").integer_attribute("episodes_done") == 12);
  CHECK(summary.open_group("checkpoint").read_doubles("validation_losses").size() == 7);
  CHECK(summary.open_group("meta").string_attribute("subcommand") == "meta-train");

  const fs::path dir = tiny_dir("meta-train-killed");
  int killed = 0;
  // Kill points spread over a run (startup included); each attempt resumes the previous one.
  for (const double fraction : {0.45, 0.6, 0.75, 0.9, 0.7}) {
    const bool resume = fs::exists(dir / "checkpoint.h5");
    const pid_t pid = spawn_l2o(meta_train(dir, resume ? " --resume" : ""), dir / "log.txt");
    std::this_thread::sleep_for(std::chrono::duration<double>(fraction * seconds));
    ::kill(pid, SIGKILL);
    const int status = wait_for(pid);
    killed += status == -SIGKILL ? 1 : 0;
    check_absent_or_complete(dir / "checkpoint.h5", "checkpoint");
    check_absent_or_complete(dir / "model.h5", "model");
    if (status == 0) break;  // finished before the kill
  }
  CHECK(killed >= 2);
  INFO("after " << killed << " kills");
  const auto outcome =
      run_l2o(meta_train(dir, fs::exists(dir / "checkpoint.h5") ? " --resume" : ""));
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  check_same_checkpoint(dir / "checkpoint.h5", reference / "checkpoint.h5");
  check_same_model(dir / "model.h5", reference / "model.h5");
}

TEST_CASE("meta-train stops on SIGTERM with exit 75 and resumes identically", "[app]") {
  const fs::path reference = tiny_dir("meta-train-term-reference");
  reference_run(reference);
  const fs::path dir = tiny_dir("meta-train-term");
  const pid_t pid = spawn_l2o(meta_train(dir), dir / "log.txt");
  // The first checkpoint (after episode 1) proves training runs with the handlers installed.
  for (int i = 0; i < 3000 && !fs::exists(dir / "checkpoint.h5"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGTERM);
  const int status = wait_for(pid);
  std::ifstream log(dir / "log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO(text);
  REQUIRE(status == 75);
  CHECK(text.find("stop requested (signal 15)") != std::string::npos);
  const auto stopped = l2o::open_hdf5_for_reading((dir / "checkpoint.h5").string());
  CHECK(stopped.open_group("checkpoint").integer_attribute("episodes_done") < 12);

  const auto resumed = run_l2o(meta_train(dir, " --resume"));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  check_same_checkpoint(dir / "checkpoint.h5", reference / "checkpoint.h5");
  check_same_model(dir / "model.h5", reference / "model.h5");
}

TEST_CASE("meta-train: 2 ranks with 2 episodes per update give the 1-rank model", "[app][mpi]") {
  const std::string batch = " --set l2l.episodes_per_update=2 --set meta_train.checkpoint_every=4";
  const fs::path one = tiny_dir("meta-train-np1"), two = tiny_dir("meta-train-np2");
  const auto a = l2o::test::run_l2o_mpi(1, meta_train(one, batch));
  INFO(a.output);
  REQUIRE(a.exit_code == 0);
  const auto b = l2o::test::run_l2o_mpi(2, meta_train(two, batch));
  INFO(b.output);
  REQUIRE(b.exit_code == 0);
  check_same_checkpoint(one / "checkpoint.h5", two / "checkpoint.h5");
  check_same_model(one / "model.h5", two / "model.h5");
  CHECK(l2o::open_hdf5_for_reading((two / "model.h5").string())
            .open_group("meta")
            .integer_attribute("mpi_ranks") == 2);
}

TEST_CASE("meta-train and learned models in evaluate: bad input fails with one line", "[app]") {
  const fs::path dir = tiny_dir("meta-train-hostile");
  const auto no_checkpoint = run_l2o(meta_train(dir, " --resume"));
  CHECK(no_checkpoint.exit_code == 2);
  CHECK(no_checkpoint.output == l2o::test::missing_checkpoint_error(dir));
  CHECK_FALSE(fs::exists(dir / "model.h5"));

  REQUIRE(run_l2o(meta_train(dir, " --set l2l.episodes=2")).exit_code == 0);
  const auto again = run_l2o(meta_train(dir, " --set l2l.episodes=2"));
  CHECK(again.exit_code == 2);
  CHECK(again.output.find("exists; continue it with --resume") != std::string::npos);
  const auto other = run_l2o(meta_train(dir, " --resume --set l2l.truncation=5"));
  CHECK(other.exit_code == 2);
  CHECK(other.output.find("was made with another l2l.truncation") != std::string::npos);
  // Training longer is a legitimate resume: episodes 3..4 continue the run.
  const auto longer = run_l2o(meta_train(dir, " --resume --set l2l.episodes=4"));
  INFO(longer.output);
  CHECK(longer.exit_code == 0);

  // Model files: a checkpoint, missing parts, wrong shapes.
  const auto evaluate = [&](const std::string& learned, const std::string& optimizers = "[]") {
    return run_l2o(
        "evaluate --quiet --data-dir " + l2o::test::data_dir() + " --output " +
        (dir / "results.h5").string() + " --set 'evaluate.learned=[" + learned +
        "]' --set 'evaluate.optimizers=" + optimizers +
        "' --set 'evaluate.datasets=[\"mnist\"]' --set 'evaluate.architectures=[\"8-8\"]'"
        " --set 'evaluate.iterations=[5]' --set evaluate.seeds=1");
  };
  const std::string checkpoint = (dir / "checkpoint.h5").string();
  const auto given_checkpoint = evaluate("\"" + checkpoint + "\"");
  CHECK(given_checkpoint.exit_code == 2);
  CHECK(given_checkpoint.output == "l2o: error: evaluate.learned: " + checkpoint +
                                       ": a meta-training checkpoint, not a model; give the file "
                                       "of meta_train.model instead\n");
  {
    l2o::AtomicHdf5File file((dir / "other.h5").string());
    file.root().create_group("tasks");
    file.commit();
  }
  const auto other_file = evaluate("\"" + (dir / "other.h5").string() + "\"");
  CHECK(other_file.exit_code == 2);
  CHECK(other_file.output == "l2o: error: evaluate.learned: " + (dir / "other.h5").string() +
                                 ": not an l2o learned-optimizer model (no /model group)\n");
  const auto not_hdf5 = evaluate("\"" + (dir / "tiny.toml").string() + "\"");
  CHECK(not_hdf5.exit_code == 2);
  CHECK(not_hdf5.output.find("not an HDF5 file") != std::string::npos);
  const auto missing = evaluate("\"" + (dir / "none.h5").string() + "\"");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("no such model file") != std::string::npos);
  // A model file with valid attributes and `parameters` entries (none: no dataset).
  const auto write_model = [&](const std::string& name, std::size_t parameters) {
    l2o::AtomicHdf5File file((dir / name).string());
    const auto model = file.root().create_group("model");
    model.set_attribute("method", std::string("l2l"));
    for (const std::string key : {"input_size", "hidden_size", "num_layers", "output_size"})
      model.set_attribute(key, std::int64_t{2});
    model.set_attribute("preprocess_p", 10.0);
    model.set_attribute("output_scale", 0.1);
    if (parameters > 0) model.write("parameters", std::vector<double>(parameters, 0.0));
    file.commit();
  };
  write_model("no_parameters.h5", 0);
  const auto no_parameters = evaluate("\"" + (dir / "no_parameters.h5").string() + "\"");
  CHECK(no_parameters.exit_code == 2);
  CHECK(no_parameters.output ==
        "l2o: error: evaluate.learned: " + (dir / "no_parameters.h5").string() +
            ":/model/parameters: dataset missing\n");
  write_model("wrong_shape.h5", 5);
  const auto wrong_shape = evaluate("\"" + (dir / "wrong_shape.h5").string() + "\"");
  CHECK(wrong_shape.exit_code == 2);
  CHECK(wrong_shape.output.find(":/model/parameters: 5 values, but an LSTM of the stored shape "
                                "has") != std::string::npos);
  const std::string model = "\"" + (dir / "model.h5").string() + "\"";
  const auto twice = evaluate(model + ", " + model);
  CHECK(twice.exit_code == 2);
  CHECK(twice.output.find("is a second \"l2l\" optimizer") != std::string::npos);
  const auto nothing = evaluate("");
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.output.find("both empty") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "results.h5"));

  // The learned optimizer end to end: same code path and layout as the hand-designed ones.
  const auto works = evaluate(model);
  INFO(works.output);
  REQUIRE(works.exit_code == 0);
  const auto group = l2o::open_hdf5_for_reading((dir / "results.h5").string())
                         .open_group("tasks")
                         .open_group("mnist_8-8_b64_t5")
                         .open_group("l2l");
  CHECK(group.string_attribute("optimizer") == "l2l");
  CHECK(group.string_attribute("model") == (dir / "model.h5").string());
  CHECK(group.double_attribute("optimizer.hidden_size") == 20.0);
  CHECK(group.double_attribute("optimizer.output_scale") == 0.1);
  const auto record = l2o::read_run_record(group.open_group("run_0000"));
  CHECK(record.true_objective.size() == 6);
  CHECK(record.diverged_at == -1);
  CHECK(record.true_objective.back() != record.true_objective.front());
}
