// Config validation: the documented one-line messages for typos, wrong types and ranges.
#include <catch2/catch.hpp>

#include "io/config.hpp"
#include "util/error.hpp"

using l2o::Config;

TEST_CASE("defaults are complete and round-trip through TOML exactly", "[io]") {
  const Config defaults;
  CHECK(defaults.integer("task.batch_size") == 64);
  CHECK(defaults.integers("task.hidden") == std::vector<std::int64_t>{48});
  const Config again = Config::from_toml(defaults.to_toml(), "round-trip");
  CHECK(again.to_toml() == defaults.to_toml());
  const Config documented = Config::from_toml(l2o::defaults_documentation(), "defaults");
  CHECK(documented.to_toml() == defaults.to_toml());
  for (const auto& spec : l2o::config_schema())
    CHECK(l2o::defaults_documentation().find(spec.key.substr(spec.key.find('.') + 1) + " = ") !=
          std::string::npos);
}

TEST_CASE("a file overlays the defaults and --set overlays the file", "[io]") {
  Config config = Config::from_toml(
      "[task]\nbatch_size = 10\nhidden = [200, 200]\nl2 = 1\n[optimizer]\nname = \"adam\"\n"
      "hyperparameters = { learning_rate = 0.003, beta1 = 0.8 }\n",
      "x.toml");
  CHECK(config.integer("task.batch_size") == 10);
  CHECK(config.integers("task.hidden") == std::vector<std::int64_t>{200, 200});
  CHECK(config.real("task.l2") == 1.0);  // an integer is accepted for a real key
  CHECK(config.numbers("optimizer.hyperparameters").at("beta1") == 0.8);
  config.apply_override("task.batch_size=32");
  config.apply_override("run.output=out/x.h5");  // bare word for a string key
  config.apply_override("task.dataset=\"cifar10\"");
  CHECK(config.integer("task.batch_size") == 32);
  CHECK(config.string("run.output") == "out/x.h5");
  CHECK(config.string("task.dataset") == "cifar10");
  const double precise = 0.1 + 0.2;
  config.set("task.l2", precise);
  CHECK(Config::from_toml(config.to_toml(), "rt").real("task.l2") == precise);
}

TEST_CASE("config errors name the place, the key and what is allowed", "[io]") {
  auto error = [](const std::string& text) -> std::string {
    try {
      Config::from_toml(text, "exp.toml");
    } catch (const l2o::InputError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error("[task]\nbatchsize = 64\n") ==
        "exp.toml:2:1: unknown key 'task.batchsize'; did you mean 'task.batch_size'?");
  CHECK(error("[taks]\nbatch_size = 64\n") ==
        "exp.toml:1:2: unknown key 'taks'; did you mean 'task.l2'?");
  CHECK(error("[task]\nbatch_size = \"64\"\n") ==
        "exp.toml:2:1: task.batch_size must be an integer in [1, 1000000], got a string");
  CHECK(error("[task]\nbatch_size = 0\n") ==
        "exp.toml:2:1: task.batch_size must be an integer in [1, 1000000], got 0");
  CHECK(error("[task]\nl2 = -0.5\n") ==
        "exp.toml:2:1: task.l2 must be a number in [0, inf], got -0.5");
  CHECK(error("[task]\ndataset = \"svhn\"\n") ==
        "exp.toml:2:1: task.dataset must be one of \"mnist\", \"fer2013\", \"cifar10\", "
        "\"cifar100\", \"cifar100_coarse\", \"h5:<file>\", \"idx:<prefix>\", got \"svhn\"");
  // A user's data set: the prefix and a non-empty path.
  CHECK(error("[task]\ndataset = \"h5:\"\n").ends_with("got \"h5:\""));
  CHECK(error("[task]\ndataset = \"hdf5:x.h5\"\n").ends_with("got \"hdf5:x.h5\""));
  CHECK(error("[task]\ndataset = \"h5:my/x.h5\"\n") == "no error");
  CHECK(error("[evaluate]\ndatasets = [\"cifar10\", \"idx:my/set\"]\n") == "no error");
  CHECK(error("[evaluate]\ndatasets = [\"idx:\"]\n").ends_with("got an element \"idx:\""));
  CHECK(error("[task]\nactivation = \"gelu\"\n") ==
        "exp.toml:2:1: task.activation must be one of \"relu\", \"tanh\", \"sigmoid\", got "
        "\"gelu\"");
  CHECK(error("[task]\nnum_classes = 257\n") ==
        "exp.toml:2:1: task.num_classes must be an integer in [0, 256], got 257");
  CHECK(error("[task]\nhidden = []\n") ==
        "exp.toml:2:1: task.hidden must be a non-empty list of integers each in [1, 100000], got "
        "an empty list");
  CHECK(error("[task]\nbatch_size = 1\nbatch_size = 2\n").starts_with("exp.toml:3:"));
  CHECK(error("[task]\nbatch_size = 1\nbatch_size = 2\n").find("invalid TOML") !=
        std::string::npos);
  CHECK(error("[task]\ndataset = \"\xff\xfe\"\n").starts_with("exp.toml:2:"));
}

TEST_CASE("command-line overrides: errors name the assignment", "[io]") {
  Config config;
  CHECK_THROWS_WITH(config.apply_override("task.batchsize=3"),
                    "--set task.batchsize=3: unknown key 'task.batchsize'; did you mean "
                    "'task.batch_size'?");
  CHECK_THROWS_WITH(config.apply_override("task.batch_size=many"),
                    "--set task.batch_size=many: task.batch_size must be an integer in [1, "
                    "1000000], got 'many'");
  CHECK_THROWS_WITH(config.apply_override("batch_size"),
                    "--set batch_size: expected section.key=value");
}
