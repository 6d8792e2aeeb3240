// The per-iteration records of `l2o meta-train --method gps` (gps_iteration_record.hpp): one
// file per iteration next to the checkpoint, consistent with the checkpoint and the model, kept
// by --resume and cleared by a fresh start.
#include <catch2/catch.hpp>
#include <filesystem>
#include <numeric>
#include <string>

#include "app/gps_tiny_run.hpp"
#include "app/run_l2o.hpp"
#include "io/hdf5_file.hpp"

namespace {

namespace fs = std::filesystem;

fs::path record_path(const fs::path& dir, int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration_%04d.h5", iteration);
  return dir / "checkpoint_iterations" / name;
}

l2o::Hdf5Group record(const fs::path& dir, int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration_%04d", iteration);
  return l2o::open_hdf5_for_reading(record_path(dir, iteration).string()).open_group(name);
}

}  // namespace

TEST_CASE("meta-train --method gps: one record per iteration, kept on resume", "[app][gps]") {
  const fs::path dir = l2o::test::tiny_dir("meta-train-gps-records");
  const auto run = l2o::test::run_l2o(l2o::test::meta_train(dir));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto model = l2o::open_hdf5_for_reading((dir / "model.h5").string()).open_group("model");
  for (int i = 0; i < 3; ++i) {
    INFO("iteration " << i);
    REQUIRE(fs::exists(record_path(dir, i)));
    const auto group = record(dir, i);
    const std::vector<double> costs = group.read_doubles("sample_costs");
    REQUIRE(costs.size() == 4);  // N rollouts of kTinyGps
    CHECK(group.double_attribute("mean_sample_cost") ==
          Approx(std::accumulate(costs.begin(), costs.end(), 0.0) / 4).epsilon(1e-14));
    CHECK(group.read_doubles("evaluation_scores").size() == 2);
    // R - 1 = 1 policy update per group at iteration 0, R = 2 afterwards; 4 groups.
    CHECK(group.read_doubles("policy_mean_loss").size() == (i == 0 ? 4u : 8u));
    CHECK(group.read_doubles("eta").size() == 4);
    if (i == model.integer_attribute("iteration")) {
      CHECK(group.double_attribute("evaluation_score") ==
            model.double_attribute("evaluation_score"));
    }
  }
  CHECK_FALSE(fs::exists(record_path(dir, 3)));

  // Training longer keeps the records and adds the new iteration's.
  const auto before = fs::last_write_time(record_path(dir, 0));
  const auto longer =
      l2o::test::run_l2o(l2o::test::meta_train(dir, " --resume --set gps.iterations=4"));
  REQUIRE(longer.exit_code == 0);
  CHECK(fs::last_write_time(record_path(dir, 0)) == before);
  CHECK(fs::exists(record_path(dir, 3)));

  // A fresh start (no checkpoint) clears an earlier run's records.
  fs::remove(dir / "checkpoint.h5");
  fs::remove(dir / "model.h5");
  const auto fresh = l2o::test::run_l2o(l2o::test::meta_train(dir, " --set gps.iterations=1"));
  REQUIRE(fresh.exit_code == 0);
  CHECK(fs::exists(record_path(dir, 0)));
  CHECK_FALSE(fs::exists(record_path(dir, 1)));
}
