// The GPS checkpoint (gps-spec.md §12 step 10) on the small real task of rollout_test_task.hpp:
// the state after 2 iterations survives a write/read round trip bitwise, one more iteration from
// the read state equals the third iteration of an uninterrupted run bitwise (the resume
// guarantee), and a checkpoint that does not fit the run fails with one line naming the object.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "gps/files/gps_checkpoint_file.hpp"
#include "gps_iteration_fixtures.hpp"
#include "io/hdf5_file.hpp"
#include "rollout_test_task.hpp"
#include "util/error.hpp"

namespace {

using l2o::test::logged_numbers;
using l2o::test::same_bits;
using l2o::test::same_state;

std::string write_checkpoint(const std::string& name, const l2o::GpsCheckpoint& checkpoint) {
  const std::string path = (l2o::test::scratch_dir(name) / "checkpoint.h5").string();
  l2o::AtomicHdf5File file(path);
  l2o::write_gps_checkpoint(file.root().create_group("checkpoint"), checkpoint);
  file.commit();
  return path;
}

l2o::GpsCheckpoint read_checkpoint(const std::string& path, const l2o::GpsParams& params,
                                   std::size_t groups) {
  return l2o::read_gps_checkpoint(l2o::open_hdf5_for_reading(path).open_group("checkpoint"), params,
                                  groups);
}

}  // namespace

TEST_CASE("GPS checkpoint: round trip after 2 iterations and resume equal 3 straight iterations",
          "[gps_checkpoint]") {
  Eigen::setNbThreads(1);
  const auto& fixture = l2o::test::rollout_task();
  const l2o::GpsParams params = l2o::test::small_params();
  const std::size_t groups = fixture.task.mlp().groups().size();
  l2o::GpsCheckpoint written{l2o::initialise_gps(fixture.task, fixture.cost_set, params, 2024), 0.0,
                             -1};
  {
    // Before iteration 0 there are no policies and no previous fits: omitted, read back empty.
    const l2o::GpsCheckpoint initial =
        read_checkpoint(write_checkpoint("gps-checkpoint-initial", written), params, groups);
    CHECK(initial.state.policies.empty());
    CHECK(initial.state.groups.at(0).previous_dynamics.transition.empty());
    CHECK(same_state(initial.state, written.state));
  }
  for (int i = 0; i < 2; ++i)
    l2o::run_gps_iteration(fixture.task, fixture.cost_set, params, written.state);
  written.best_score = 0.125;
  written.best_iteration = 1;
  REQUIRE(written.state.policies.size() == groups);
  REQUIRE_FALSE(written.state.groups.at(0).previous_cost.hessian.empty());

  const std::string path = write_checkpoint("gps-checkpoint", written);
  l2o::GpsCheckpoint read = read_checkpoint(path, params, groups);
  CHECK(read.state.iteration == 2);
  CHECK(read.best_iteration == 1);
  CHECK(same_bits(read.best_score, 0.125));
  CHECK(same_state(read.state, written.state));
  // The comparison can fail: one changed bit of one carried quantity is seen.
  {
    l2o::GpsState perturbed = read.state;
    double& entry = perturbed.groups.back().previous_cost.gradient.back()(3);
    entry = std::nextafter(entry, 1.0);
    CHECK_FALSE(same_state(perturbed, written.state));
  }

  // Resume: iteration 2 from the read state equals iteration 2 of the uninterrupted run.
  const l2o::GpsIterationSummary straight =
      l2o::run_gps_iteration(fixture.task, fixture.cost_set, params, written.state);
  const l2o::GpsIterationSummary resumed =
      l2o::run_gps_iteration(fixture.task, fixture.cost_set, params, read.state);
  CHECK(resumed.iteration == 2);
  CHECK(same_state(read.state, written.state));
  CHECK(same_bits(logged_numbers(resumed), logged_numbers(straight)));
}

TEST_CASE("GPS checkpoint: a checkpoint of another run fails with one line naming the object",
          "[gps_checkpoint]") {
  Eigen::setNbThreads(1);
  const auto& fixture = l2o::test::rollout_task();
  const l2o::GpsParams params = l2o::test::small_params();
  const std::size_t groups = fixture.task.mlp().groups().size();
  const l2o::GpsCheckpoint checkpoint{
      l2o::initialise_gps(fixture.task, fixture.cost_set, params, 5), 1.0, -1};
  const std::string path = write_checkpoint("gps-checkpoint-other", checkpoint);

  CHECK_THROWS_WITH(read_checkpoint(path, params, groups + 1),
                    path + ":/checkpoint/group_count: " + std::to_string(groups) +
                        " groups, this task has " + std::to_string(groups + 1) +
                        "; the checkpoint is damaged: delete it and start afresh without "
                        "--resume");
  l2o::GpsParams longer = params;
  longer.horizon = params.horizon + 1;
  CHECK_THROWS_WITH(read_checkpoint(path, longer, groups),
                    path +
                        ":/checkpoint/group_0/lambda: shape [40], expected [41]; the "
                        "checkpoint is damaged: delete it and start afresh without --resume");
  CHECK_THROWS_AS(read_checkpoint(path, longer, groups), l2o::InputError);

  // The GMM prior's reused subsample belongs only to a run that reuses samples (issue 16 item 4).
  l2o::GpsCheckpoint reusing = checkpoint;
  reusing.state.groups[0].reused_points =
      Eigen::MatrixXd::Ones(3, 2 * Eigen::Index{params.state_dim()} + 1);
  const std::string reused = write_checkpoint("gps-checkpoint-reused", reusing);
  CHECK_THROWS_WITH(read_checkpoint(reused, params, groups),
                    reused +
                        ":/checkpoint/group_0/reused_points: present, but gps.sample_reuse is not "
                        "\"previous\"; the checkpoint is damaged: delete it and start afresh "
                        "without --resume");
}
