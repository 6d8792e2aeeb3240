// The initial controller (gps-spec.md §11) and GPS iterations (§12) on the small real MNIST task
// of rollout_test_task.hpp: the grid search against a recomputation of every score, the
// scaled-units round trip of psi-hat at iteration 0, and the end-to-end smoke test E1 of §17
// adapted to this optimisee (3 iterations, no NaN, every DGD within tolerance or slack, pi's
// loss falls within every update, bitwise identical for 1 and 2 threads and for repeated runs).
#include <omp.h>
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gps/fit/cost_model.hpp"
#include "gps/loop/gps_iteration.hpp"
#include "gps/loop/initial_controller.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "gps_iteration_fixtures.hpp"
#include "rollout_test_task.hpp"

namespace {

using l2o::GpsIterationSummary;
using l2o::GpsParams;
using l2o::GpsState;
using l2o::test::logged_numbers;
using l2o::test::same_bits;
using l2o::test::same_state;
using l2o::test::small_params;

struct Run {
  GpsState state;
  std::vector<GpsIterationSummary> summaries;
};

Run run_gps(int threads, int iterations) {
  const auto& fixture = l2o::test::rollout_task();
  const GpsParams params = small_params();
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  Run run{l2o::initialise_gps(fixture.task, fixture.cost_set, params, 2024), {}};
  for (int i = 0; i < iterations; ++i) {
    run.summaries.push_back(
        l2o::run_gps_iteration(fixture.task, fixture.cost_set, params, run.state));
  }
  omp_set_num_threads(saved);
  return run;
}

}  // namespace

TEST_CASE("Momentum coefficients are the block sums of beta^k", "[gps_init]") {
  for (double beta : {0.0, 0.5, 0.9}) {
    for (int i = 0; i < l2o::kGradientFeatures; ++i) {
      double sum = 0.0;  // lags 5i .. 5i+4 of a momentum sum, 0^0 = 1
      for (int k = 5 * i; k < 5 * i + 5; ++k) sum += k == 0 ? 1.0 : std::pow(beta, k);
      CHECK(l2o::momentum_coefficient(beta, i) == Approx(sum).epsilon(1e-14).margin(1e-300));
    }
  }
}

TEST_CASE("Initial controller: grid scores recomputed by hand, and psi-hat's scaling round trip",
          "[gps_init]") {
  Eigen::setNbThreads(1);
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);  // thread-count independence is the iteration test's business
  const auto& fixture = l2o::test::rollout_task();
  GpsParams params = small_params();
  params.initial_controller.learning_rates = {0.01, 0.1, 1.0, 3.0, 30.0};
  params.initial_controller.momentums = {0.0, 0.5, 0.9};
  params.initial_controller.pilot_rollouts = 2;
  const std::uint64_t seed = 77;
  const l2o::InitialController chosen =
      l2o::choose_initial_controller(fixture.task, fixture.cost_set, params, seed);
  const auto& grid = params.initial_controller;
  REQUIRE(chosen.candidates.size() == grid.learning_rates.size() * grid.momentums.size());

  // Brute force: every candidate's pilots, f_t summed at t = 10, 20, 30, 40 and the divergence
  // test written out here.
  l2o::RolloutRecorder recorder(
      fixture.task, fixture.cost_set,
      {.horizon = params.horizon, .max_recorded = params.max_recorded, .record_scaled = false});
  const std::size_t groups = fixture.task.mlp().groups().size();
  const std::vector<l2o::ScaledUnits> raw(groups);
  double best = std::numeric_limits<double>::infinity();
  double best_alpha = 0.0, best_beta = 0.0;
  int discarded = 0;
  std::size_t c = 0;
  for (double alpha : grid.learning_rates) {
    for (double beta : grid.momentums) {
      const std::vector<l2o::LinearGaussianPolicy> controllers(
          groups, l2o::raw_momentum_controller(alpha, beta, params.horizon, l2o::kStateDim));
      double score = 0.0;
      bool diverged = false;
      for (int n = 0; n < grid.pilot_rollouts && !diverged; ++n) {
        try {
          const auto f =
              recorder.record(controllers, raw, l2o::gps_pilot_seed(seed), {0, n}).true_objective;
          for (double value : f) diverged = diverged || !(value <= 10.0 * f[0]);
          score += (f[10] + f[20] + f[30] + f[40]) / 4.0 / grid.pilot_rollouts;
        } catch (const l2o::RolloutError&) {
          diverged = true;
        }
      }
      const l2o::PilotCandidate& candidate = chosen.candidates[c++];
      CHECK(candidate.alpha == alpha);
      CHECK(candidate.beta == beta);
      CHECK(candidate.discarded == diverged);
      if (diverged) {
        ++discarded;
        CHECK(std::isinf(candidate.score));
      } else {
        CHECK(candidate.score == Approx(score).epsilon(1e-14));
        if (score < best) {
          best = score;
          best_alpha = alpha;
          best_beta = beta;
        }
      }
    }
  }
  CHECK(discarded > 0);  // alpha = 30 diverges: the discard rule is exercised
  CHECK(chosen.alpha == best_alpha);
  CHECK(chosen.beta == best_beta);

  // psi-hat at iteration 0 with G = 0, run in its scaled units, takes the winner's raw actions.
  REQUIRE(chosen.policies.size() == groups);
  std::vector<l2o::LinearGaussianPolicy> noise_free = chosen.policies;
  for (std::size_t g = 0; g < groups; ++g) {
    CHECK((chosen.policies[g].variance.array() == 0.25).all());
    CHECK(chosen.policies[g].bias.isZero(0.0));
    noise_free[g].variance.setZero();
  }
  const l2o::RolloutRecord scaled = recorder.record(noise_free, chosen.units, 5, {1, 0});
  const l2o::RolloutRecord winner = recorder.record(
      std::vector<l2o::LinearGaussianPolicy>(
          groups,
          l2o::raw_momentum_controller(chosen.alpha, chosen.beta, params.horizon, l2o::kStateDim)),
      raw, 5, {1, 0});
  for (std::size_t g = 0; g < groups; ++g) {
    const Eigen::MatrixXd& a = scaled.groups[g].actions;
    const Eigen::MatrixXd& b = winner.groups[g].actions;
    CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-9 * b.cwiseAbs().maxCoeff());
    CHECK(b.cwiseAbs().maxCoeff() > 0.0);
  }
  omp_set_num_threads(saved_threads);
}

TEST_CASE("GPS iterations: E1 smoke test, thread-count and run-to-run bitwise identity",
          "[gps_iteration]") {
  Eigen::setNbThreads(1);  // the LQG runs with Eigen single-threaded (as in the l2o binary)
  constexpr int kIterations = 3;
  const Run one = run_gps(1, kIterations);
  const GpsParams params = small_params();

  REQUIRE(one.state.iteration == kIterations);
  for (const GpsIterationSummary& s : one.summaries) {
    INFO("iteration " << s.iteration);
    // No NaN or Inf anywhere, except the step-size entries (predicted and actual improvement,
    // multiplier per group, the summed predicted and realised improvement), which are unset by
    // design at iteration 0.
    int non_finite = 0;
    for (double x : logged_numbers(s)) non_finite += std::isfinite(x) ? 0 : 1;
    CHECK(non_finite == (s.iteration == 0 ? 3 * static_cast<int>(s.groups.size()) + 2 : 0));
    CHECK(std::isfinite(s.mean_sample_cost));
    CHECK(std::isfinite(s.evaluation.score));
    CHECK(std::isfinite(s.mean_initial_kl));
    CHECK(std::isfinite(s.mean_final_kl));
    for (std::size_t g = 0; g < s.dgd.size(); ++g) {
      REQUIRE(s.dgd[g].size() == static_cast<std::size_t>(params.inner_iterations));
      for (const l2o::DgdResult& r : s.dgd[g]) {
        INFO("group " << g << " eta " << r.eta << " kl " << r.kl << " epsilon " << r.epsilon);
        CHECK((r.converged || r.constraint_slack));
        CHECK(std::isfinite(r.kl));
      }
      // R - 1 policy updates at iteration 0 (none before the first psi-step), R afterwards;
      // each update is full-batch here, so its losses are comparable and must fall.
      const std::size_t updates = params.inner_iterations - (s.iteration == 0 ? 1 : 0);
      REQUIRE(s.policy_updates[g].size() == updates);
      for (const l2o::PolicyUpdateReport& u : s.policy_updates[g]) {
        REQUIRE(u.step_losses.size() == 10);
        CHECK(u.step_losses.back() < u.step_losses.front());
      }
    }
  }
  // psi improves: its mean sample cost at iteration 2 is not worse than at iteration 0 by more
  // than two standard errors of the difference (here it is lower by about three).
  const auto standard_error_squared = [](const std::vector<double>& costs) {
    const Eigen::Map<const Eigen::VectorXd> x(costs.data(),
                                              static_cast<Eigen::Index>(costs.size()));
    return (x.array() - x.mean()).square().sum() / (x.size() - 1.0) / x.size();
  };
  const GpsIterationSummary& first = one.summaries.front();
  const GpsIterationSummary& last = one.summaries.back();
  CHECK(last.mean_sample_cost <=
        first.mean_sample_cost + 2.0 * std::sqrt(standard_error_squared(first.sample_costs) +
                                                 standard_error_squared(last.sample_costs)));

  for (std::size_t g = 0; g < one.state.groups.size(); ++g) {
    const l2o::GpsGroupState& group = one.state.groups[g];
    CHECK(group.sampling_policy.gain.allFinite());
    CHECK((group.sampling_policy.variance.array() > 0.0).all());
    CHECK(group.duals.lambda.allFinite());
    CHECK((group.duals.nu.array() > 0.0).all());
    CHECK(std::isfinite(group.cost_normaliser));
    CHECK(one.state.policies[g].weights().values().allFinite());
  }

  const Run two = run_gps(2, kIterations);
  const Run again = run_gps(1, kIterations);
  GpsState perturbed = one.state;  // the comparison sees a one-ulp change
  perturbed.groups.back().eta = std::nextafter(perturbed.groups.back().eta, 0.0);
  CHECK_FALSE(same_state(one.state, perturbed));
  CHECK(same_state(one.state, two.state));
  CHECK(same_state(one.state, again.state));
  for (int i = 0; i < kIterations; ++i) {
    CHECK(same_bits(logged_numbers(one.summaries[i]), logged_numbers(two.summaries[i])));
    CHECK(same_bits(logged_numbers(one.summaries[i]), logged_numbers(again.summaries[i])));
  }
}

TEST_CASE("GPS parameters: spec defaults pass, inconsistent Sigma^pi is named, cost-set size",
          "[gps_init]") {
  const GpsParams defaults;
  CHECK_NOTHROW(defaults.check());
  CHECK(defaults.horizon == 400);
  CHECK(defaults.rollouts == 20);
  CHECK(defaults.max_recorded == 256);
  CHECK(defaults.inner_iterations == 4);
  CHECK(defaults.initial_controller.learning_rates.size() *
            defaults.initial_controller.momentums.size() ==
        32);
  GpsParams params;
  params.exploration_std = 0.4;  // Sigma^pi = 0.25 no longer equals rho_init^2 (§8.6)
  CHECK_THROWS_WITH(params.check(), Catch::Contains("linearisation.policy_variance"));
  params.linearisation.policy_variance = 0.16;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("duals.policy_variance"));
  params.duals.policy_variance = 0.16;
  CHECK_NOTHROW(params.check());
  params.initial_controller.momentums = {0.5, 1.0};
  CHECK_THROWS_WITH(params.check(), Catch::Contains("momentums"));

  // The cost set of the run is the fixture's 2000-example subset for N_c = 2000 and seed 7.
  const auto& fixture = l2o::test::rollout_task();
  params.cost_set_examples = 2000;
  const l2o::MlpTask cost_set = l2o::gps_cost_set(fixture.task, params, 7);
  const Eigen::VectorXd x = fixture.task.mlp().initial_parameters(3);
  CHECK(same_bits(cost_set.true_objective(x), fixture.cost_set.true_objective(x)));
  CHECK_FALSE(same_bits(l2o::gps_cost_set(fixture.task, params, 8).true_objective(x),
                        fixture.cost_set.true_objective(x)));
}

TEST_CASE("GPS iterations: psi's noise-free cost repeats sample rollouts 0..K-1 without noise",
          "[gps_iteration]") {
  const auto& fixture = l2o::test::rollout_task();
  GpsParams params = small_params();
  params.noise_free_rollouts = 2;
  GpsState state = l2o::initialise_gps(fixture.task, fixture.cost_set, params, 2024);
  std::vector<l2o::LinearGaussianPolicy> noise_free;
  std::vector<l2o::ScaledUnits> units;
  for (const l2o::GpsGroupState& group : state.groups) {
    noise_free.push_back(group.sampling_policy);
    noise_free.back().variance.setZero();
    units.push_back(group.units);
  }
  const GpsIterationSummary summary =
      l2o::run_gps_iteration(fixture.task, fixture.cost_set, params, state);
  REQUIRE(summary.noise_free_costs.size() == 2);

  // Recomputed here: psi-hat of iteration 0 with G_t = 0 on the seeds of sample rollouts 0 and 1.
  l2o::RolloutRecorder recorder(fixture.task, fixture.cost_set,
                                {.horizon = params.horizon,
                                 .max_recorded = params.max_recorded,
                                 .features = params.features});
  for (int n = 0; n < 2; ++n) {
    INFO("rollout " << n);
    const l2o::RolloutRecord rollout = recorder.record(noise_free, units, 2024, {0, n});
    CHECK(same_bits(summary.noise_free_costs[n],
                    l2o::meta_loss(rollout.true_objective) / params.horizon));
    // The noise is switched off, not the rollout: the sample on the same seed differs.
    CHECK(summary.noise_free_costs[n] != summary.sample_costs[n]);
  }
  CHECK(same_bits(summary.noise_free_cost,
                  (summary.noise_free_costs[0] / 2 + summary.noise_free_costs[1] / 2)));
}
