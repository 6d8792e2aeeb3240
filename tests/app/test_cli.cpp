// The l2o executable end to end: --help everywhere, config errors, and a small MPI training run
// whose HDF5 output holds curves and provenance and does not depend on the rank count.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace {

l2o::test::Outcome run(const std::string& arguments) {
  return l2o::test::run_l2o(arguments);
}

l2o::test::Outcome run_mpi(int ranks, const std::string& arguments) {
  return l2o::test::run_l2o_mpi(ranks, arguments);
}

}  // namespace

TEST_CASE("--help works for the program and every subcommand", "[app]") {
  for (const std::string sub : {"", "train", "config"}) {
    const auto outcome = run(sub + " --help");
    INFO(sub);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.output.find("Usage") != std::string::npos);
  }
  CHECK(run("").exit_code == 2);  // a subcommand is required
}

TEST_CASE("config --defaults prints every key, --check validates", "[app]") {
  const auto defaults = run("config --defaults");
  CHECK(defaults.exit_code == 0);
  CHECK(defaults.output.find("batch_size = 64") != std::string::npos);
  const auto dir = l2o::test::scratch_dir("cli-config");
  const auto good = (dir / "good.toml").string(), typo = (dir / "typo.toml").string();
  std::FILE* f = std::fopen(good.c_str(), "w");
  std::fputs("[task]\nbatch_size = 10\n", f);
  std::fclose(f);
  f = std::fopen(typo.c_str(), "w");
  std::fputs("[run]\nseeds = 2\n[task]\nbach_size = 10\n", f);
  std::fclose(f);
  CHECK(run("config --check " + good + " --quiet").exit_code == 0);
  const auto bad = run("config --check " + typo);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output == "l2o: error: " + typo +
                          ":4:1: unknown key 'task.bach_size'; did you mean 'task.batch_size'?\n");
  const auto hyper = run("config --check " + good + " --set 'optimizer.hyperparameters={lr=1}'");
  CHECK(hyper.exit_code == 2);
  CHECK(hyper.output.find("optimizer.hyperparameters: sgd: unknown hyperparameter \"lr\"") !=
        std::string::npos);
}

TEST_CASE("train under mpirun -np 2 writes curves and provenance, equal to -np 1", "[app][mpi]") {
  const auto dir = l2o::test::scratch_dir("cli-train");
  const std::string common = "train --quiet --data-dir " + l2o::test::data_dir() +
                             " --set run.seeds=3 --set run.iterations=20 --set task.input_dim=20"
                             " --set task.hidden=[16] ";
  const auto two = run_mpi(2, common + "--output " + (dir / "np2.h5").string());
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK(two.output.find("result: " + (dir / "np2.h5").string()) != std::string::npos);
  REQUIRE(run_mpi(1, common + "--output " + (dir / "np1.h5").string()).exit_code == 0);

  const auto a = l2o::open_hdf5_for_reading((dir / "np2.h5").string());
  const auto b = l2o::open_hdf5_for_reading((dir / "np1.h5").string());
  CHECK(a.open_group("meta").string_attribute("git_revision").size() > 0);
  CHECK(a.open_group("meta").read_string("config").find("iterations = 20") != std::string::npos);
  CHECK(a.open_group("meta").integer_attribute("mpi_ranks") == 2);
  for (const std::string run_name : {"run_0000", "run_0001", "run_0002"}) {
    const auto ra = a.open_group("runs").open_group(run_name);
    const auto rb = b.open_group("runs").open_group(run_name);
    const auto curve = ra.read_doubles("true_objective");
    CHECK(curve.size() == 21);
    CHECK(curve.back() < curve.front());                // SGD makes progress in 20 steps
    CHECK(curve == rb.read_doubles("true_objective"));  // bitwise, any rank count
  }
}

TEST_CASE("bad input fails with one line and writes nothing", "[app]") {
  const auto dir = l2o::test::scratch_dir("cli-bad");
  const auto out = (dir / "x.h5").string();
  const auto missing =
      run("train --quiet --data-dir " + (dir / "nodata").string() + " --output " + out);
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == "l2o: error: " + (dir / "nodata").string() +
                              "/mnist/train-images-idx3-ubyte: no such file (nor " +
                              (dir / "nodata").string() +
                              "/mnist/train-images-idx3-ubyte.gz); set --data-dir, data.dir or "
                              "L2O_DATA_DIR, or run scripts/get-data.sh\n");
  CHECK_FALSE(std::filesystem::exists(out));
  const auto wrong = run("train --config " + (dir / "none.toml").string());
  CHECK(wrong.output == "l2o: error: " + (dir / "none.toml").string() +
                            ": cannot open config file; check the path\n");
}
