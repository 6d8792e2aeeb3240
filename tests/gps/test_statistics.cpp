// Sufficient statistics (gps-spec.md §14): exact, order- and split-independent reduction;
// agreement with plain double sums; serialisation round trip; thread-count independence.
#include <omp.h>
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "gps/fit/statistics_reduction.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "util/random_stream.hpp"

namespace {

using l2o::GroupRolloutRecord;
using l2o::kStateDim;
using l2o::TransitionStatistics;

// Rollout n: P = 3 + n mod 5 points, heavy-ish tails so rounding differences would show.
GroupRolloutRecord random_record(int rollout, int horizon) {
  l2o::RandomStream random(3, "test_statistics", {static_cast<std::uint64_t>(rollout)});
  const Eigen::Index points = 3 + rollout % 5;
  GroupRolloutRecord record;
  for (int t = 0; t < horizon; ++t) {
    Eigen::MatrixXd s(points, kStateDim);
    for (Eigen::Index j = 0; j < points; ++j) {
      for (int i = 0; i < kStateDim; ++i) {
        s(j, i) = l2o::is_active(i, t) ? random.normal() * (1.0 + 10.0 * random.uniform()) : 0.0;
      }
    }
    record.states.push_back(s);
  }
  record.actions.resize(points, horizon);
  record.true_gradients.resize(points, horizon + 1);
  for (Eigen::Index j = 0; j < points; ++j) {
    for (int t = 0; t < horizon; ++t) record.actions(j, t) = random.normal();
    for (int t = 0; t <= horizon; ++t) record.true_gradients(j, t) = 1e-3 * random.normal();
  }
  return record;
}

}  // namespace

TEST_CASE("Statistics of rollouts 0..N-1 equal any split merged in any order, bitwise",
          "[statistics]") {
  constexpr int kHorizon = 14;
  constexpr int kRollouts = 8;
  std::vector<GroupRolloutRecord> records;
  for (int n = 0; n < kRollouts; ++n) records.push_back(random_record(n, kHorizon));

  TransitionStatistics all(kHorizon);
  for (const auto& r : records) all.add_rollout(r);

  TransitionStatistics first_half(kHorizon), second_half(kHorizon);
  for (int n = 0; n < kRollouts / 2; ++n) first_half.add_rollout(records[n]);
  for (int n = kRollouts / 2; n < kRollouts; ++n) second_half.add_rollout(records[n]);
  TransitionStatistics halves(kHorizon);
  halves.sums().merge(first_half.sums());
  halves.sums().merge(second_half.sums());
  REQUIRE(halves.sums() == all.sums());

  // Rank-strided split (rollout n on rank n mod 2), merged in reverse, through buffers.
  TransitionStatistics even(kHorizon), odd(kHorizon);
  for (int n = 0; n < kRollouts; ++n) (n % 2 == 0 ? even : odd).add_rollout(records[n]);
  const std::vector<std::uint64_t> even_buffer = even.sums().serialize();
  const std::vector<std::uint64_t> odd_buffer = odd.sums().serialize();
  l2o::MomentSums strided = l2o::MomentSums::deserialize(odd_buffer);
  strided.merge(l2o::MomentSums::deserialize(even_buffer));
  REQUIRE(strided == all.sums());
  REQUIRE(l2o::MomentSums::deserialize(all.sums().serialize()) == all.sums());

  // The rounded sums agree with plain double sums (fixed-point resolution 2^-72).
  constexpr int kT = 9;
  Eigen::MatrixXd u_sum = Eigen::MatrixXd::Zero((l2o::kStateDim + 3), (l2o::kStateDim + 3));
  // V = [s', g', H g]; these records have no gradient curvatures, so the last column is 0.
  Eigen::MatrixXd cross_sum = Eigen::MatrixXd::Zero((l2o::kStateDim + 2), (l2o::kStateDim + 3));
  for (const auto& r : records) {
    Eigen::MatrixXd u(r.actions.rows(), (l2o::kStateDim + 3));
    u << r.states[kT], r.actions.col(kT), r.true_gradients.col(kT),
        Eigen::VectorXd::Ones(r.actions.rows());
    Eigen::MatrixXd v(r.actions.rows(), (l2o::kStateDim + 2));
    v << r.states[kT + 1], r.true_gradients.col(kT + 1), Eigen::VectorXd::Zero(r.actions.rows());
    u_sum += u.transpose() * u;
    cross_sum += v.transpose() * u;
  }
  Eigen::MatrixXd gram((l2o::kStateDim + 3), (l2o::kStateDim + 3));
  Eigen::MatrixXd cross((l2o::kStateDim + 2), (l2o::kStateDim + 3));
  all.sums().gram(kT, kT, gram);
  all.sums().cross(kT, kT, cross);
  CHECK((gram - u_sum).cwiseAbs().maxCoeff() <= 1e-12 * u_sum.cwiseAbs().maxCoeff());
  CHECK((cross - cross_sum).cwiseAbs().maxCoeff() <= 1e-12 * cross_sum.cwiseAbs().maxCoeff());
  CHECK(gram((l2o::kStateDim + 2), (l2o::kStateDim + 2)) ==
        static_cast<double>(3 + 4 + 5 + 6 + 7 + 3 + 4 + 5));
  // s_T does not exist: the next-state block of the last step is zero.
  all.sums().cross(kHorizon - 1, kHorizon - 1, cross);
  CHECK(cross.topRows(kStateDim).cwiseAbs().maxCoeff() == 0.0);
  // A window sum is the sum of the single steps (exact integers, rounded once).
  Eigen::MatrixXd window((l2o::kStateDim + 3), (l2o::kStateDim + 3));
  all.sums().gram(2, 5, window);
  Eigen::MatrixXd stepwise = Eigen::MatrixXd::Zero(window.rows(), window.cols());
  for (int t = 2; t <= 5; ++t) {
    all.sums().gram(t, t, gram);
    stepwise += gram;
  }
  CHECK((window - stepwise).cwiseAbs().maxCoeff() <= 1e-12 * window.cwiseAbs().maxCoeff());
}

TEST_CASE("Statistics do not depend on the OpenMP thread count", "[statistics]") {
  constexpr int kHorizon = 20;
  const GroupRolloutRecord record = random_record(5, kHorizon);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  TransitionStatistics one_thread(kHorizon);
  one_thread.add_rollout(record);
  omp_set_num_threads(2);
  TransitionStatistics two_threads(kHorizon);
  two_threads.add_rollout(record);
  omp_set_num_threads(saved);
  REQUIRE(one_thread.sums() == two_threads.sums());
}

TEST_CASE("Policy statistics hold the Gram of [s, mu, 1]", "[statistics]") {
  constexpr int kHorizon = 6;
  const GroupRolloutRecord record = random_record(2, kHorizon);
  l2o::PolicyStatistics statistics(kHorizon);
  statistics.add_rollout(record.states, record.actions);
  Eigen::MatrixXd u(record.actions.rows(), (l2o::kStateDim + 2));
  u << record.states[4], record.actions.col(4), Eigen::VectorXd::Ones(record.actions.rows());
  const Eigen::MatrixXd expected = u.transpose() * u;
  Eigen::MatrixXd gram((l2o::kStateDim + 2), (l2o::kStateDim + 2));
  statistics.sums().gram(4, 4, gram);
  CHECK((gram - expected).cwiseAbs().maxCoeff() <= 1e-12 * expected.cwiseAbs().maxCoeff());
}

TEST_CASE("Non-finite recorded data and malformed buffers are rejected", "[statistics]") {
  constexpr int kHorizon = 5;
  GroupRolloutRecord record = random_record(1, kHorizon);
  record.actions(0, 3) = std::numeric_limits<double>::quiet_NaN();
  TransitionStatistics statistics(kHorizon);
  try {
    statistics.add_rollout(record);
    FAIL("no exception");
  } catch (const std::overflow_error& error) {
    CHECK(std::string(error.what()).find("time step 3") != std::string::npos);
  }
  std::vector<std::uint64_t> buffer = statistics.sums().serialize();
  buffer.pop_back();
  CHECK_THROWS_AS(l2o::MomentSums::deserialize(buffer), std::invalid_argument);
  TransitionStatistics other(kHorizon + 1);
  CHECK_THROWS_AS(statistics.sums().merge(other.sums()), std::invalid_argument);
}

TEST_CASE("Group owners balance the recorded points over the ranks", "[statistics]") {
  using Owners = std::vector<int>;
  // The workstation config (C_g = 64, 48, 64, 10): g mod 2 would give rank 0 the two weight
  // groups (128 of 186 points); balanced, rank 0 gets 112.
  const std::vector<Eigen::Index> workstation{64, 48, 64, 10};
  CHECK(l2o::group_owners(workstation, 1) == Owners{0, 0, 0, 0});
  CHECK(l2o::group_owners(workstation, 2) == Owners{0, 0, 1, 1});
  CHECK(l2o::group_owners(workstation, 3) == Owners{0, 2, 1, 2});
  CHECK(l2o::group_owners(workstation, 5) == Owners{0, 2, 1, 3});  // a rank idles
  // The app tests' tiny run (48-8-10 net, C_max = 16).
  const std::vector<Eigen::Index> tiny{16, 8, 16, 10};
  CHECK(l2o::group_owners(tiny, 2) == Owners{0, 1, 1, 0});
  CHECK(l2o::group_owners(tiny, 3) == Owners{0, 2, 1, 2});
  // Greedy largest-first: no rank exceeds the lightest by more than one group's points.
  const std::vector<Eigen::Index> many{5, 90, 33, 33, 7, 61, 12, 48, 2};
  for (int ranks = 1; ranks <= 4; ++ranks) {
    const Owners owners = l2o::group_owners(many, ranks);
    std::vector<Eigen::Index> load(static_cast<std::size_t>(ranks), 0);
    for (std::size_t g = 0; g < many.size(); ++g) {
      load.at(static_cast<std::size_t>(owners[g])) += many[g];
    }
    const auto [lightest, heaviest] = std::minmax_element(load.begin(), load.end());
    CHECK(*heaviest - *lightest <= 90);
  }
  CHECK_THROWS_AS(l2o::group_owners(workstation, 0), std::invalid_argument);
  CHECK_THROWS_AS(l2o::group_owners(std::vector<Eigen::Index>{3, -1}, 2), std::invalid_argument);
}
