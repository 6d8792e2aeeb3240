// Per-(iteration, group) diagnostics (issue 5 item 7): summaries over time steps against hand
// values, filling from real fits / DGD / step-size results on recorded MNIST rollouts, and the
// HDF5 round trip of one iteration's log.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "gps/files/group_diagnostics_io.hpp"
#include "gps/fit/cost_model.hpp"
#include "gps/fit/dynamics_fit.hpp"
#include "gps/fit/policy_linearisation.hpp"
#include "gps/loop/group_diagnostics.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "gps/lqg/dual_gradient_descent.hpp"
#include "gps/lqg/step_size.hpp"
#include "io/hdf5_file.hpp"
#include "rollout_test_task.hpp"
#include "test_support.hpp"

TEST_CASE("Step-series summaries", "[diagnostics]") {
  Eigen::VectorXd odd(5);
  odd << 3, 1, 4, 1, 5;
  const l2o::StepSeriesSummary a = l2o::summarise_steps(odd);
  CHECK(a.min == 1.0);
  CHECK(a.argmin == 1);  // the first of the tied minima
  CHECK(a.max == 5.0);
  CHECK(a.argmax == 4);
  CHECK(a.median == 3.0);
  CHECK(a.mean == Approx(2.8).epsilon(1e-15));
  Eigen::VectorXd even(4);
  even << 4, 1, 3, std::numeric_limits<double>::infinity();
  const l2o::StepSeriesSummary b = l2o::summarise_steps(even);
  CHECK(b.median == 3.5);
  CHECK(std::isinf(b.max));
  CHECK(b.argmax == 3);
  even(0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(l2o::summarise_steps(even), std::invalid_argument);
  CHECK_THROWS_AS(l2o::summarise_steps(Eigen::VectorXd()), std::invalid_argument);
}

TEST_CASE(
    "Diagnostics filled from fits, DGD and step size on recorded rollouts round-trip "
    "through HDF5",
    "[diagnostics]") {
  const auto& fixture = l2o::test::rollout_task();
  constexpr int kHorizon = 12;
  l2o::RolloutRecorder recorder(fixture.task, fixture.cost_set,
                                {.horizon = kHorizon, .max_recorded = 32});
  const auto controllers = l2o::test::feature_controllers(fixture.task, kHorizon, -0.5, 0.0, 0.25);
  const auto units = l2o::test::test_units(fixture.task);
  const std::size_t groups = 2;  // layer1.weights and layer1.biases suffice here
  std::vector<l2o::TransitionStatistics> statistics(groups, l2o::TransitionStatistics(kHorizon));
  std::vector<l2o::PolicyStatistics> policy(groups, l2o::PolicyStatistics(kHorizon));
  for (int n = 0; n < 4; ++n) {
    const l2o::RolloutRecord record = recorder.record(controllers, units, 8, {0, n});
    for (std::size_t g = 0; g < groups; ++g) {
      statistics[g].add_rollout(record.groups[g]);
      policy[g].add_rollout(record.groups[g].states, record.groups[g].actions);
    }
  }

  const l2o::ActiveMask mask = l2o::active_mask(kHorizon);
  std::vector<l2o::GroupDiagnostics> diagnostics(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    const l2o::FitContext context{static_cast<int>(g), 3};
    const l2o::CostModelFit cost =
        l2o::fit_cost_model(statistics[g], units[g].action_scale, 1.0, {}, context);
    const l2o::DynamicsFit dynamics = l2o::fit_dynamics(statistics[g], {}, context);
    const l2o::PolicyLinearisationFit linearisation =
        l2o::fit_policy_linearisation(policy[g], {}, context);
    l2o::DualGradientDescent dgd(l2o::kStateDim, kHorizon);
    l2o::LinearGaussianPolicy solution;
    const l2o::LqgProblem problem{.dynamics = &dynamics.dynamics,
                                  .cost = &cost.cost,
                                  .anchor = &controllers[g],
                                  .active = &mask};
    const l2o::DgdResult result = dgd.solve(problem, 1.0, 1.0, solution, {context.group, 3});
    l2o::LqgForwardPass forward(l2o::kStateDim, kHorizon);
    const l2o::LqgModel model{dynamics.dynamics, cost.cost, linearisation.linearisation};
    const Eigen::VectorXd nu = Eigen::VectorXd::Constant(kHorizon, 0.01);
    const l2o::StepImprovement improvement =
        l2o::step_improvement(controllers[g], solution, model, model, nu, forward, {});
    CHECK(improvement.predicted == improvement.actual);  // same model before and after

    l2o::GroupDiagnostics& d = diagnostics[g];
    d.iteration = 3;
    d.group = static_cast<int>(g);
    d.record(cost);
    d.record(dynamics);
    d.record(linearisation);
    d.record(result);
    const double multiplier = l2o::adapt_step_multiplier(1.0, improvement, {});
    d.record(improvement, multiplier);
    d.record_policy_kl(Eigen::VectorXd::Constant(kHorizon, 0.5),
                       Eigen::VectorXd::LinSpaced(kHorizon, 0, 1));

    CHECK(d.gradient_r_squared.min == cost.gradient_r_squared.minCoeff());
    CHECK(d.gradient_r_squared.max <= 1.0);
    CHECK(d.dynamics_condition.max == 1.0 / dynamics.input_rcond.minCoeff());
    CHECK(d.dynamics_condition.min >= 1.0);  // a condition number
    CHECK(d.cost_condition.min >= 1.0);
    CHECK(d.linearisation_condition.min >= 1.0);
    CHECK(d.trust_region_kl == result.kl);
    CHECK(d.kl_bound == Approx(0.2 * kHorizon));
    CHECK(d.eta == result.eta);
    CHECK(d.predicted_improvement == improvement.predicted);
    CHECK(d.step_multiplier == multiplier);
    CHECK(d.policy_kl_before == 0.5);
    CHECK(d.policy_kl_after == Approx(0.5).epsilon(1e-15));
  }

  const auto dir = l2o::test::scratch_dir("gps-diagnostics");
  const std::string path = (dir / "diagnostics.h5").string();
  {
    l2o::AtomicHdf5File file(path);
    const l2o::Hdf5Group log = file.root().create_group("gps_diagnostics");
    (void)l2o::write_group_diagnostics(log, 3, diagnostics);
    diagnostics[1].iteration = 4;
    CHECK_THROWS_AS(l2o::write_group_diagnostics(log, 4, diagnostics), std::invalid_argument);
    file.commit();
  }
  const auto iteration =
      l2o::open_hdf5_for_reading(path).open_group("gps_diagnostics").open_group("iteration_0003");
  CHECK(iteration.integer_attribute("iteration") == 3);
  CHECK(iteration.read_integers("group") == std::vector<std::int64_t>{0, 1});
  const std::vector<double> eta = iteration.read_doubles("eta");
  const std::vector<double> kl = iteration.read_doubles("trust_region_kl");
  l2o::Hdf5Shape shape;
  const std::vector<double> r_squared = iteration.read_doubles("gradient_r_squared", &shape);
  CHECK(shape == l2o::Hdf5Shape{2, 6});
  for (std::size_t g = 0; g < groups; ++g) {
    CHECK(eta[g] == diagnostics[g].eta);
    CHECK(kl[g] == diagnostics[g].trust_region_kl);
    CHECK(r_squared[6 * g] == diagnostics[g].gradient_r_squared.min);
    CHECK(r_squared[6 * g + 4] == diagnostics[g].gradient_r_squared.argmin);
  }
  CHECK(iteration.read_integers("dgd_iterations")[0] == diagnostics[0].dgd_iterations);
  CHECK(iteration.read_doubles("step_multiplier") ==
        std::vector<double>{diagnostics[0].step_multiplier, diagnostics[1].step_multiplier});
  std::filesystem::remove_all(dir);
}
