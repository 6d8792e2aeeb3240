// GPS rollouts on the real MNIST task (gps-spec.md §3.3): reproducibility and thread-count
// independence, the recorded subset, exact iterate updates of simple controllers, the meta-loss
// identity C3 and the trapezoid attribution on recorded data, raw vs scaled recording, and the
// error naming group, iteration and rollout.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gps/features/scaled_units.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "rollout_test_task.hpp"

namespace {

using l2o::GroupRolloutRecord;
using l2o::LinearGaussianPolicy;
using l2o::RolloutContext;
using l2o::RolloutRecord;
using l2o::RolloutRecorder;
using l2o::RolloutRecorderParams;
using l2o::ScaledUnits;
using l2o::test::rollout_task;

template <class Matrix>
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

bool same_record(const RolloutRecord& a, const RolloutRecord& b) {
  if (!same_bits(a.minibatch_objective, b.minibatch_objective) ||
      !same_bits(a.true_objective, b.true_objective) || a.groups.size() != b.groups.size()) {
    return false;
  }
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    const GroupRolloutRecord& x = a.groups[g];
    const GroupRolloutRecord& y = b.groups[g];
    if (x.coordinates != y.coordinates || !same_bits(x.actions, y.actions) ||
        !same_bits(x.true_gradients, y.true_gradients) || x.states.size() != y.states.size()) {
      return false;
    }
    for (std::size_t t = 0; t < x.states.size(); ++t) {
      if (!same_bits(x.states[t], y.states[t]) ||
          !same_bits(x.observations[t], y.observations[t])) {
        return false;
      }
    }
  }
  return true;
}

std::vector<ScaledUnits> identity_units(const l2o::MlpTask& task) {
  return std::vector<ScaledUnits>(task.mlp().groups().size());
}

}  // namespace

TEST_CASE("Rollouts are bitwise reproducible and the same for 1 and 2 threads", "[rollouts]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 12;
  const RolloutRecorderParams params{.horizon = kHorizon, .max_recorded = 32};
  RolloutRecorder recorder(fixture.task, fixture.cost_set, params);
  // Scaled units with noise: a gradient-descent-like gain on phi^g_0 plus exploration.
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.0, 0.25);
  const auto units = l2o::test::test_units(fixture.task);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const RolloutRecord first = recorder.record(controllers, units, 11, {2, 3});
  const RolloutRecord again = recorder.record(controllers, units, 11, {2, 3});
  omp_set_num_threads(2);
  const RolloutRecord two_threads = recorder.record(controllers, units, 11, {2, 3});
  RolloutRecorder fresh(fixture.task, fixture.cost_set, params);
  const RolloutRecord fresh_recorder = fresh.record(controllers, units, 11, {2, 3});
  omp_set_num_threads(threads);
  CHECK(same_record(first, again));
  CHECK(same_record(first, two_threads));
  CHECK(same_record(first, fresh_recorder));
  // Another rollout index, iteration or seed is another rollout.
  CHECK_FALSE(same_record(first, recorder.record(controllers, units, 11, {2, 4})));
  CHECK_FALSE(same_record(first, recorder.record(controllers, units, 11, {3, 3})));
  CHECK_FALSE(same_record(first, recorder.record(controllers, units, 12, {2, 3})));
  // The iterate really moved: the true objective changes from step to step.
  CHECK(first.true_objective.front() != first.true_objective.back());
  // The record feeds the sufficient statistics directly.
  l2o::TransitionStatistics statistics(kHorizon);
  for (const auto& group : first.groups) CHECK_NOTHROW(statistics.add_rollout(group));
}

TEST_CASE("Recorded coordinates are a sorted seeded subset and hold the step-0 values",
          "[rollouts]") {
  const auto& fixture = rollout_task();
  const RolloutRecorderParams params{.horizon = 3, .max_recorded = 32};
  RolloutRecorder recorder(fixture.task, fixture.cost_set, params);
  const auto controllers = l2o::test::feature_controllers(fixture.task, 3, -0.5, 0.0, 0.25);
  const auto units = identity_units(fixture.task);
  const RolloutContext context{1, 6};
  const RolloutRecord record = recorder.record(controllers, units, 5, context);
  const auto& groups = fixture.task.mlp().groups();
  REQUIRE(record.groups.size() == groups.size());
  REQUIRE(record.true_objective.size() == 4);
  REQUIRE(record.minibatch_objective.size() == 4);

  // f_0, g_0 and f-hat_0 at x^(0) of the rollout, computed independently.
  const std::uint64_t rollout_seed = l2o::gps_rollout_seed(5, context.iteration, context.rollout);
  const Eigen::VectorXd x0 = fixture.task.mlp().initial_parameters(rollout_seed);
  Eigen::VectorXd true_gradient;
  const double f0 = fixture.cost_set.true_objective(x0, &true_gradient);
  CHECK(record.true_objective[0] == f0);
  Eigen::VectorXd minibatch_gradient(x0.size());
  l2o::MlpWorkspace workspace;
  auto sampler = fixture.task.sampler(rollout_seed);
  CHECK(record.minibatch_objective[0] ==
        fixture.task.batch_objective(x0, sampler.batch(0), minibatch_gradient.data(), workspace));

  for (std::size_t g = 0; g < groups.size(); ++g) {
    const GroupRolloutRecord& group = record.groups[g];
    const auto expected_size = std::min<Eigen::Index>(groups[g].size, 32);
    REQUIRE(static_cast<Eigen::Index>(group.coordinates.size()) == expected_size);
    for (std::size_t p = 0; p < group.coordinates.size(); ++p) {
      CHECK(group.coordinates[p] >= 0);
      CHECK(group.coordinates[p] < groups[g].size);
      if (p > 0) CHECK(group.coordinates[p - 1] < group.coordinates[p]);  // sorted, distinct
    }
    CHECK(group.coordinates ==
          l2o::recorded_coordinates(groups[g].size, 32, 5, context, static_cast<int>(g)));
    REQUIRE(group.states.size() == 3);
    REQUIRE(group.observations.size() == 3);
    CHECK(group.actions.rows() == expected_size);
    CHECK(group.actions.cols() == 3);
    CHECK(group.true_gradients.cols() == 4);
    for (Eigen::Index p = 0; p < expected_size; ++p) {
      const Eigen::Index j = groups[g].offset + group.coordinates[static_cast<std::size_t>(p)];
      CHECK(group.true_gradients(p, 0) == true_gradient(j));
      // t = 0: only phi^g_0 = g-hat / (|g-hat| + 1) is active; Psi_0 = [0, same, 0] (§2.2-§2.3).
      const double phi = minibatch_gradient(j) / (std::abs(minibatch_gradient(j)) + 1.0);
      CHECK(group.states[0](p, l2o::kGradientFeatureOffset) == phi);
      CHECK(group.states[0].row(p).cwiseAbs().sum() == std::abs(phi));
      CHECK(group.observations[0](p, 0) == 0.0);
      CHECK(group.observations[0](p, 1) == phi);
      CHECK(group.observations[0](p, 2) == 0.0);
    }
  }
  // The large groups get different subsets in different rollouts; small groups are complete.
  CHECK(l2o::recorded_coordinates(384, 32, 5, {1, 6}, 0) !=
        l2o::recorded_coordinates(384, 32, 5, {1, 7}, 0));
  CHECK(l2o::recorded_coordinates(8, 32, 5, {1, 6}, 1) ==
        std::vector<Eigen::Index>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("A constant controller moves every coordinate by exactly sigma_a k per step",
          "[rollouts]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 6;
  RolloutRecorder recorder(fixture.task, fixture.cost_set, {.horizon = kHorizon});
  const auto& groups = fixture.task.mlp().groups();
  auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, 0.0, 0.0, 0.0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    controllers[g].bias.setConstant(0.25 - 0.2 * static_cast<double>(g));
  }
  const auto units = l2o::test::test_units(fixture.task);
  const RolloutRecord record = recorder.record(controllers, units, 9, {0, 1});

  Eigen::VectorXd x = fixture.task.mlp().initial_parameters(l2o::gps_rollout_seed(9, 0, 1));
  for (int t = 0; t <= kHorizon; ++t) {
    CHECK(record.true_objective[static_cast<std::size_t>(t)] == fixture.cost_set.true_objective(x));
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const double step = controllers[g].bias(0) * units[g].action_scale;
      x.segment(groups[g].offset, groups[g].size).array() += step;
      if (t == kHorizon) continue;
      // Recorded in scaled units: a = a_raw / sigma_a (§3.2).
      CHECK((record.groups[g].actions.col(t).array() == step / units[g].action_scale).all());
      if (t >= 2) {  // Psi's third entry |x^(t-1) - x^(t-2)| / (|x^(t) - x^(t-1)| + 0.1)
        const double expected = std::abs(step) / (std::abs(step) + 0.1);
        CHECK(record.groups[g].observations[t].col(2).isConstant(expected, 1e-9));
      }
    }
  }
}

TEST_CASE("Plain gradient descent in features reproduces x^(1) exactly", "[rollouts]") {
  const auto& fixture = rollout_task();
  constexpr double kRate = 0.3;
  RolloutRecorder recorder(fixture.task, fixture.cost_set, {.horizon = 1, .max_recorded = 1000});
  // At t = 0 only phi^g_0 is active: a = -rate * g-hat / (|g-hat| + 1) in raw units.
  const auto controllers = l2o::test::feature_controllers(fixture.task, 1, -kRate, 0.0, 0.0);
  const RolloutRecord record =
      recorder.record(controllers, identity_units(fixture.task), 4, {7, 0});

  const std::uint64_t rollout_seed = l2o::gps_rollout_seed(4, 7, 0);
  const Eigen::VectorXd x0 = fixture.task.mlp().initial_parameters(rollout_seed);
  Eigen::VectorXd gradient(x0.size());
  l2o::MlpWorkspace workspace;
  auto sampler = fixture.task.sampler(rollout_seed);
  (void)fixture.task.batch_objective(x0, sampler.batch(0), gradient.data(), workspace);
  const Eigen::VectorXd step =
      (gradient.array() / (gradient.array().abs() + 1.0) * -kRate).matrix();
  const Eigen::VectorXd x1 = x0 + step;
  Eigen::VectorXd true_gradient;
  CHECK(record.true_objective[1] == fixture.cost_set.true_objective(x1, &true_gradient));
  const auto& groups = fixture.task.mlp().groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    // Every coordinate is recorded (max_recorded exceeds every group).
    REQUIRE(record.groups[g].true_gradients.rows() == groups[g].size);
    CHECK(record.groups[g].true_gradients.col(1) ==
          true_gradient.segment(groups[g].offset, groups[g].size));
    CHECK(record.groups[g].actions.col(0) == step.segment(groups[g].offset, groups[g].size));
  }
}

TEST_CASE("C3: meta-loss identity and trapezoid attribution on a recorded rollout",
          "[rollouts][cost]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 20;
  // Record everything raw: actions and gradients in the units of x.
  RolloutRecorder recorder(fixture.task, fixture.cost_set,
                           {.horizon = kHorizon, .max_recorded = 1000, .record_scaled = false});
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.0, 1e-6);
  const RolloutRecord record =
      recorder.record(controllers, identity_units(fixture.task), 21, {0, 0});
  const std::vector<double>& f = record.true_objective;
  std::vector<double> improvements;
  for (int t = 0; t < kHorizon; ++t) improvements.push_back(f[t + 1] - f[t]);
  const double meta = l2o::meta_loss(f);
  CHECK(std::abs(l2o::telescoped_meta_loss(f[0], improvements) - meta) < 1e-13 * std::abs(meta));
  CHECK(f.back() < f.front());  // gradient descent made progress

  // sum_j a_j (g_t + g_{t+1})_j / 2 over all coordinates approximates Delta f_t to third order
  // in the step (exact for a quadratic, §4).
  double total_error = 0.0;
  double total_improvement = 0.0;
  for (int t = 0; t < kHorizon; ++t) {
    double attributed = 0.0;
    for (const auto& group : record.groups) {
      attributed += l2o::trapezoid_improvement(group.actions.col(t), group.true_gradients.col(t),
                                               group.true_gradients.col(t + 1));
    }
    total_error += std::abs(attributed - improvements[static_cast<std::size_t>(t)]);
    total_improvement += std::abs(improvements[static_cast<std::size_t>(t)]);
  }
  CHECK(total_error < 0.01 * total_improvement);
}

TEST_CASE("Raw and scaled recordings agree through ScaledUnits, pilot data give the scales",
          "[rollouts]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 8;
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.1, 0.25);
  const auto units = l2o::test::test_units(fixture.task);
  RolloutRecorder scaled(fixture.task, fixture.cost_set, {.horizon = kHorizon, .max_recorded = 16});
  RolloutRecorder raw(fixture.task, fixture.cost_set,
                      {.horizon = kHorizon, .max_recorded = 16, .record_scaled = false});
  const RolloutRecord a = scaled.record(controllers, units, 3, {0, 2});
  const RolloutRecord b = raw.record(controllers, units, 3, {0, 2});
  CHECK(same_bits(a.true_objective, b.true_objective));
  l2o::TransitionStatistics pilot(kHorizon);
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    Eigen::MatrixXd actions = b.groups[g].actions;
    units[g].scale_actions(actions);
    CHECK(same_bits(a.groups[g].actions, actions));
    CHECK(same_bits(a.groups[g].true_gradients, b.groups[g].true_gradients));
    for (int t = 0; t < kHorizon; ++t) {
      Eigen::MatrixXd states = b.groups[g].states[t];
      units[g].scale_states(states);
      CHECK(same_bits(a.groups[g].states[t], states));
      CHECK(same_bits(a.groups[g].observations[t], b.groups[g].observations[t]));
    }
    if (g == 0) pilot.add_rollout(b.groups[g]);
  }
  // The raw record is the pilot data of §11 item 2: scales are the RMS of the raw values.
  const ScaledUnits pilot_units = l2o::compute_scaled_units(pilot);
  const Eigen::MatrixXd& actions = b.groups[0].actions;
  CHECK(pilot_units.action_scale ==
        Approx(std::sqrt(actions.squaredNorm() / static_cast<double>(actions.size())))
            .epsilon(1e-12));
  double sum_squares = 0.0;
  for (const auto& s : b.groups[0].states)
    sum_squares += s.col(l2o::kGradientFeatureOffset).squaredNorm();
  CHECK(pilot_units.state_scale(l2o::kGradientFeatureOffset) ==
        Approx(std::sqrt(sum_squares / (kHorizon * actions.rows()))).epsilon(1e-12));
}

TEST_CASE("A non-finite action is an error naming group, iteration and rollout", "[rollouts]") {
  const auto& fixture = rollout_task();
  RolloutRecorder recorder(fixture.task, fixture.cost_set, {.horizon = 4});
  auto controllers = l2o::test::feature_controllers(fixture.task, 4, -0.5, 0.0, 0.25);
  controllers[2].bias(1) = 1e308;  // sigma_a k overflows to inf at t = 1 in group 2
  auto units = identity_units(fixture.task);
  units[2].action_scale = 10.0;
  try {
    (void)recorder.record(controllers, units, 1, {3, 5});
    FAIL("no exception");
  } catch (const l2o::RolloutError& error) {
    const std::string message = error.what();
    CHECK(error.group() == 2);
    CHECK(error.iteration() == 3);
    CHECK(error.rollout() == 5);
    CHECK(error.time_step() == 1);
    CHECK(message.find("group 2") != std::string::npos);
    CHECK(message.find("iteration 3") != std::string::npos);
    CHECK(message.find("rollout 5") != std::string::npos);
  }
  // A huge but finite step of layer2.weights overflows the logits at the next step.
  controllers[2].bias(1) = 1e307;
  units[2].action_scale = 1.0;
  try {
    (void)recorder.record(controllers, units, 1, {3, 5});
    FAIL("no exception");
  } catch (const l2o::RolloutError& error) {
    CHECK(error.time_step() == 2);
    CHECK(error.iteration() == 3);
    CHECK(error.rollout() == 5);
  }
  // Malformed controllers are rejected before the rollout starts.
  controllers.pop_back();
  CHECK_THROWS_AS(recorder.record(controllers, units, 1, {3, 5}), std::invalid_argument);
}

TEST_CASE("Exploration noise is N(0, G_t) in scaled units, independent across groups",
          "[rollouts]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 6;
  constexpr double kVariance = 0.36;
  RolloutRecorder recorder(fixture.task, fixture.cost_set,
                           {.horizon = kHorizon, .max_recorded = 1000});
  const auto controllers =
      l2o::test::feature_controllers(fixture.task, kHorizon, 0.0, 0.0, kVariance);
  const RolloutRecord record =
      recorder.record(controllers, l2o::test::test_units(fixture.task), 2, {0, 0});
  // layer1.weights: 384 coordinates x 6 steps of a = sqrt(G) eps (K = 0, k = 0).
  const Eigen::MatrixXd& a = record.groups[0].actions;
  const auto samples = static_cast<double>(a.size());
  const double mean = a.mean();
  const double variance = a.array().square().mean();
  CHECK(std::abs(mean) < 4.0 * std::sqrt(kVariance / samples));
  CHECK(std::abs(variance / kVariance - 1.0) < 4.0 * std::sqrt(2.0 / samples));
  // Different groups draw different streams: layer1.biases' first step is not a copy.
  CHECK(record.groups[1].actions.col(0) != a.col(0).head(8));
}

TEST_CASE("Group objective changes add up to f_{t+1} - f_t and leave the rollout unchanged",
          "[rollouts][cost]") {
  const auto& fixture = rollout_task();
  constexpr int kHorizon = 20;
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.0, 0.3);
  const RolloutRecorderParams plain{
      .horizon = kHorizon, .max_recorded = 1000, .record_scaled = false};
  RolloutRecorderParams measured = plain;
  measured.group_objective_changes = true;
  const RolloutRecord reference =
      RolloutRecorder(fixture.task, fixture.cost_set, plain)
          .record(controllers, identity_units(fixture.task), 21, {0, 3});
  const RolloutRecord record = RolloutRecorder(fixture.task, fixture.cost_set, measured)
                                   .record(controllers, identity_units(fixture.task), 21, {0, 3});
  CHECK(same_record(record, reference));  // the extra objectives do not move anything
  const std::vector<double>& f = record.true_objective;
  for (int t = 0; t < kHorizon; ++t) {
    INFO("step " << t);
    double total = 0.0;
    for (const GroupRolloutRecord& group : record.groups) {
      REQUIRE(group.objective_changes.size() == kHorizon);
      total += group.objective_changes(t);
    }
    CHECK(std::abs(total - (f[t + 1] - f[t])) <= 1e-12 * std::abs(f[t]));
  }
}
