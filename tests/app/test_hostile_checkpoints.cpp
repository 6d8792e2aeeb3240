// Hostile checkpoints and model files for the real `l2o` binary (issue 7 item 2): `meta-train
// --resume` of either method given a checkpoint with a missing object, a wrong shape, of the
// other method, of another configuration or architecture, cut in half, or not HDF5 at all, and
// `evaluate` given a truncated model or a checkpoint instead of a model. Each case gives its exact
// one-line error with exit code 2 and leaves the scratch directory as it was: the checkpoint and
// the model byte for byte, no new file (no temporary, no record directory).
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/gps_tiny_run.hpp"
#include "app/hostile_checks.hpp"
#include "app/meta_train_runs.hpp"
#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::expect_rejected;
using l2o::test::meta_train_arguments;

// The real checkpoint and model of `method`'s tiny run (2 L2L episodes, 1 GPS iteration), made
// once per test binary in a directory of their own.
const fs::path& made(const std::string& method) {
  static std::map<std::string, fs::path> dirs;
  if (!dirs.contains(method)) {
    const bool gps = method == "gps";
    const fs::path dir = l2o::test::meta_train_dir("hostile-checkpoints-made-" + method,
                                                   gps ? l2o::test::kTinyGps : l2o::test::kTinyL2l);
    const auto outcome = l2o::test::run_l2o(
        meta_train_arguments(dir, gps ? " --set gps.iterations=1" : " --set l2l.episodes=2"));
    INFO(outcome.output);
    REQUIRE(outcome.exit_code == 0);
    dirs[method] = dir;
  }
  return dirs.at(method);
}

// A run directory of `method` ready to resume: its tiny.toml, the real model and checkpoint.
fs::path run_dir(const std::string& name, const std::string& method) {
  const fs::path dir = l2o::test::scratch_dir(name);
  for (const std::string file : {"tiny.toml", "model.h5", "checkpoint.h5"})
    fs::copy_file(made(method) / file, dir / file);
  return dir;
}

// Replaces the checkpoint of `dir` by `method`'s real one with `edit` applied to its /checkpoint
// group, through the HDF5 C API (l2o itself never modifies a file in place).
void edit_checkpoint(const fs::path& dir, const std::string& method,
                     const std::function<void(const l2o::Hdf5Group&)>& edit) {
  const fs::path path = dir / "checkpoint.h5";
  fs::copy_file(made(method) / "checkpoint.h5", path, fs::copy_options::overwrite_existing);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  {
    const l2o::Hdf5Group group(
        l2o::Hdf5Handle(H5Gopen2(file, "/checkpoint", H5P_DEFAULT), H5Gclose), path.string(),
        "/checkpoint");
    edit(group);
  }
  REQUIRE(H5Fclose(file) >= 0);
}

void remove(const l2o::Hdf5Group& group, const std::string& name) {
  REQUIRE(H5Ldelete(group.id(), name.c_str(), H5P_DEFAULT) >= 0);
}

void remove_attribute(const l2o::Hdf5Group& group, const std::string& name) {
  REQUIRE(H5Adelete(group.id(), name.c_str()) >= 0);
}

// Replaces dataset `name` by `values`.
void rewrite(const l2o::Hdf5Group& group, const std::string& name,
             const std::vector<double>& values) {
  remove(group, name);
  group.write(name, values);
}

// The first half of `path`'s bytes written to `to` (a copy cut short, as by a full disk).
void write_first_half(const fs::path& path, const fs::path& to) {
  const std::string text = l2o::test::read_text(path);
  std::ofstream(to, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
}

std::string quoted(const fs::path& path) {
  return "\"" + path.string() + "\"";
}

// Both methods' rejections that do not depend on the checkpoint's content: of the other method,
// cut in half, not HDF5.
void check_foreign_files(const fs::path& dir, const std::string& method, const std::string& other) {
  const fs::path checkpoint = dir / "checkpoint.h5";
  const std::string resume = meta_train_arguments(dir, " --resume");
  fs::copy_file(made(other) / "checkpoint.h5", checkpoint, fs::copy_options::overwrite_existing);
  expect_rejected(dir, resume,
                  "--resume: checkpoint " + quoted(checkpoint) + " is of method " + other +
                      ", this run uses " + method + "; resume it with --method " + other +
                      " and its configuration (" + checkpoint.string() + ":/meta/config)");
  write_first_half(made(method) / "checkpoint.h5", checkpoint);
  expect_rejected(dir, resume,
                  "--resume: " + checkpoint.string() +
                      ": cannot open as HDF5 (truncated or corrupt); check meta_train.checkpoint");
  fs::copy_file(dir / "tiny.toml", checkpoint, fs::copy_options::overwrite_existing);
  expect_rejected(dir, resume,
                  "--resume: " + checkpoint.string() +
                      ": not an HDF5 file (truncated or another format); check "
                      "meta_train.checkpoint");
}

}  // namespace

TEST_CASE("hostile checkpoints: meta-train --method l2l --resume", "[app][hostile]") {
  const fs::path dir = run_dir("hostile-checkpoints-l2l", "l2l");
  const std::string resume = meta_train_arguments(dir, " --resume");
  const std::string where = (dir / "checkpoint.h5").string() + ":/checkpoint/";
  const std::string damaged =
      "; the checkpoint is damaged: delete it and start afresh without --resume";

  edit_checkpoint(dir, "l2l", [](const auto& group) { remove(group, "adam_second_moment"); });
  expect_rejected(dir, resume, where + "adam_second_moment: dataset missing" + damaged);
  edit_checkpoint(dir, "l2l", [](const auto& group) { remove_attribute(group, "episodes_done"); });
  expect_rejected(dir, resume, where + "episodes_done: attribute missing" + damaged);
  edit_checkpoint(dir, "l2l", [](const auto& group) { rewrite(group, "parameters", {1, 2, 3}); });
  expect_rejected(dir, resume, where + "parameters: 3 values, expected 5301" + damaged);
  // Another architecture: a 30-cell LSTM's checkpoint (shape attribute changed), and a checkpoint
  // of another net (the run's configuration differs from the one stored).
  edit_checkpoint(dir, "l2l",
                  [](const auto& group) { group.set_attribute("hidden_size", std::int64_t{30}); });
  expect_rejected(dir, resume,
                  (dir / "checkpoint.h5").string() +
                      ":/checkpoint: LSTM shape 2-30x2-1, this run uses 2-20x2-1" + damaged);
  fs::copy_file(made("l2l") / "checkpoint.h5", dir / "checkpoint.h5",
                fs::copy_options::overwrite_existing);
  expect_rejected(dir, meta_train_arguments(dir, " --resume --set 'task.hidden=[4]'"),
                  "--resume: checkpoint " + quoted(dir / "checkpoint.h5") +
                      " was made with another task.hidden; resume with its configuration (" +
                      (dir / "checkpoint.h5").string() +
                      ":/meta/config) or start afresh without --resume");
  check_foreign_files(dir, "l2l", "gps");
}

TEST_CASE("hostile checkpoints: meta-train --method gps --resume", "[app][hostile][gps]") {
  const fs::path dir = run_dir("hostile-checkpoints-gps", "gps");
  const std::string resume = meta_train_arguments(dir, " --resume");
  const std::string where = (dir / "checkpoint.h5").string() + ":/checkpoint/";
  const std::string damaged =
      "; the checkpoint is damaged: delete it and start afresh without --resume";

  edit_checkpoint(dir, "gps", [](const auto& group) { remove(group, "group_3"); });
  expect_rejected(dir, resume, where + "group_3: group missing" + damaged);
  edit_checkpoint(dir, "gps", [](const auto& group) {
    remove(group.open_group("group_1").open_group("policy"), "adam_first_moment");
  });
  expect_rejected(dir, resume,
                  where + "group_1/policy/adam_first_moment: dataset missing" + damaged);
  edit_checkpoint(dir, "gps", [](const auto& group) {
    remove(group.open_group("group_2"), "previous_dynamics");
  });
  expect_rejected(dir, resume,
                  where +
                      "group_2/previous_dynamics: missing (every checkpoint after iteration 0 "
                      "has it)" +
                      damaged);
  edit_checkpoint(dir, "gps", [](const auto& group) {
    for (const std::string g : {"group_0", "group_1", "group_2", "group_3"})
      remove(group.open_group(g), "policy");
  });
  expect_rejected(dir, resume,
                  (dir / "checkpoint.h5").string() +
                      ":/checkpoint: 0 of 4 groups have a policy, expected 4 at iteration 1" +
                      damaged);
  edit_checkpoint(dir, "gps", [](const auto& group) {
    rewrite(group.open_group("group_0"), "lambda", std::vector<double>(41, 0.0));
  });
  expect_rejected(dir, resume, where + "group_0/lambda: shape [41], expected [40]" + damaged);
  // Another architecture: a checkpoint of a 3-group net, and one of a run with another policy.
  edit_checkpoint(dir, "gps",
                  [](const auto& group) { group.set_attribute("group_count", std::int64_t{3}); });
  expect_rejected(dir, resume, where + "group_count: 3 groups, this task has 4" + damaged);
  fs::copy_file(made("gps") / "checkpoint.h5", dir / "checkpoint.h5",
                fs::copy_options::overwrite_existing);
  expect_rejected(dir, meta_train_arguments(dir, " --resume --set gps.policy_hidden_size=8"),
                  "--resume: checkpoint " + quoted(dir / "checkpoint.h5") +
                      " was made with another gps.policy_hidden_size; resume with its "
                      "configuration (" +
                      (dir / "checkpoint.h5").string() +
                      ":/meta/config) or start afresh without --resume");
  check_foreign_files(dir, "gps", "l2l");
}

TEST_CASE("hostile checkpoints: evaluate.learned given a truncated model or a checkpoint",
          "[app][hostile]") {
  const fs::path dir = l2o::test::scratch_dir("hostile-checkpoints-evaluate");
  const auto evaluate = [&](const fs::path& learned) {
    return "evaluate --quiet --data-dir " + l2o::test::data_dir() + " --output " +
           (dir / "results.h5").string() + " --set 'evaluate.learned=[" + quoted(learned) +
           "]' --set 'evaluate.optimizers=[]' --set 'evaluate.datasets=[\"mnist\"]' --set "
           "'evaluate.architectures=[\"8-8\"]' --set 'evaluate.iterations=[5]' --set "
           "evaluate.seeds=1";
  };
  for (const std::string method : {"l2l", "gps"}) {
    const fs::path model = dir / (method + "_model.h5");
    write_first_half(made(method) / "model.h5", model);
    expect_rejected(
        dir, evaluate(model),
        "evaluate.learned: " + model.string() + ": cannot open as HDF5 (truncated or corrupt)");
    const fs::path checkpoint = dir / (method + "_checkpoint.h5");
    fs::copy_file(made(method) / "checkpoint.h5", checkpoint);
    expect_rejected(dir, evaluate(checkpoint),
                    "evaluate.learned: " + checkpoint.string() +
                        ": a meta-training checkpoint, not a model; give the file of "
                        "meta_train.model instead");
  }
}
