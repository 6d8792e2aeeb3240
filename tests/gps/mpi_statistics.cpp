// The statistics reduction of gps-spec.md §14 under mpiexec -n 2: rollout n is recorded on rank
// n mod 2, each rank accumulates TransitionStatistics per group, and group g is reduced to its
// owner (group_owners, balanced by recorded points). The owner's total must be bitwise equal to the
// statistics of all rollouts accumulated on one rank, and so must the dynamics and cost fits
// computed from it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "dist/word_gather.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/statistics_reduction.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "rollout_test_task.hpp"

namespace {

template <class Matrix>
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

template <class Matrices>
bool same_bits_all(const Matrices& a, const Matrices& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("2-rank reduction of rollout statistics equals the 1-rank statistics bitwise",
          "[gps][mpi]") {
  const auto& fixture = l2o::test::rollout_task();
  const int rank = l2o::world_rank();
  const int ranks = l2o::world_size();
  REQUIRE(ranks == 2);
  constexpr int kHorizon = 10;
  constexpr int kRollouts = 5;
  l2o::RolloutRecorder recorder(fixture.task, fixture.cost_set,
                                {.horizon = kHorizon, .max_recorded = 24});
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.0, 0.25);
  const auto units = l2o::test::test_units(fixture.task);
  const std::size_t groups = fixture.task.mlp().groups().size();

  // Distributed: this rank's rollouts only. Reference: every rollout on this rank.
  std::vector<l2o::TransitionStatistics> local(groups, l2o::TransitionStatistics(kHorizon));
  std::vector<l2o::TransitionStatistics> reference(groups, l2o::TransitionStatistics(kHorizon));
  for (int n = 0; n < kRollouts; ++n) {
    const l2o::RolloutRecord record = recorder.record(controllers, units, 17, {1, n});
    for (std::size_t g = 0; g < groups; ++g) {
      if (n % ranks == rank) local[g].add_rollout(record.groups[g]);
      reference[g].add_rollout(record.groups[g]);
    }
  }
  const std::vector<l2o::TransitionStatistics> before = local;
  for (std::size_t g = 0; g < groups; ++g) {
    CHECK_FALSE(local[g].sums() == reference[g].sums());  // both ranks hold a part
  }

  std::vector<Eigen::Index> recorded_points;
  for (const l2o::ParameterGroup& group : fixture.task.mlp().groups()) {
    recorded_points.push_back(std::min<Eigen::Index>(group.size, 24));  // C_max above
  }
  const std::vector<int> owners = l2o::group_owners(recorded_points, ranks);
  const std::vector<bool> owned = l2o::reduce_to_group_owners(local, owners);
  REQUIRE(owned.size() == groups);
  for (std::size_t g = 0; g < groups; ++g) {
    const int group = static_cast<int>(g);
    CHECK(owned[g] == (owners[g] == rank));
    if (!owned[g]) {
      CHECK(local[g].sums() == before[g].sums());  // non-owners keep their part
      continue;
    }
    CHECK(local[g].sums() == reference[g].sums());
    CHECK(local[g].sums().serialize() == reference[g].sums().serialize());

    // The fits from the reduced statistics are bitwise those from the 1-rank statistics.
    const l2o::FitContext context{group, 1};
    const l2o::DynamicsFit reduced = l2o::fit_dynamics(local[g], {}, context);
    const l2o::DynamicsFit single = l2o::fit_dynamics(reference[g], {}, context);
    CHECK(same_bits_all(reduced.dynamics.transition, single.dynamics.transition));
    CHECK(same_bits_all(reduced.dynamics.offset, single.dynamics.offset));
    CHECK(same_bits_all(reduced.dynamics.noise_cov, single.dynamics.noise_cov));
    CHECK(same_bits(reduced.dynamics.initial_mean, single.dynamics.initial_mean));
    CHECK(same_bits(reduced.dynamics.initial_cov, single.dynamics.initial_cov));
    CHECK(same_bits(reduced.input_rcond, single.input_rcond));
    const l2o::CostModelFit reduced_cost = l2o::fit_cost_model(local[g], 1.0, 1.0, {}, context);
    const l2o::CostModelFit single_cost = l2o::fit_cost_model(reference[g], 1.0, 1.0, {}, context);
    CHECK(same_bits_all(reduced_cost.cost.hessian, single_cost.cost.hessian));
    CHECK(same_bits_all(reduced_cost.cost.gradient, single_cost.cost.gradient));
    CHECK(same_bits(reduced_cost.gradient_r_squared, single_cost.gradient_r_squared));
    CHECK(same_bits(reduced_cost.curvature, single_cost.curvature));
  }
}
