#pragma once
// Shared by the GPS iteration and checkpoint tests: a GPS configuration small enough for a unit
// test on rollout_test_task.hpp's task, and bitwise comparisons of GpsState and of every logged
// number of an iteration (the resume and thread-count guarantees are bitwise).
#include <Eigen/Core>
#include <cstring>
#include <vector>

#include "gps/loop/gps_iteration.hpp"

namespace l2o::test {

/// A run small enough for a unit test: T = 40, N = 4, C_max = 16 (so every group's sequences fit
/// one minibatch of 64 and each policy update is full-batch), one noise-free rollout of psi, R = 3,
/// a 16-cell LSTM with at most
/// 10 Adam steps per update, and a 2 x 2 (alpha, beta) grid with 1 pilot (the grid search is tested
/// on its own with a larger grid).
inline GpsParams small_params() {
  GpsParams params;
  params.horizon = 40;
  params.rollouts = 4;
  params.max_recorded = 16;
  params.inner_iterations = 3;
  params.evaluation_rollouts = 2;
  params.noise_free_rollouts = 1;
  params.initial_controller.learning_rates = {0.3, 1.0};
  params.initial_controller.momentums = {0.0, 0.5};
  params.initial_controller.pilot_rollouts = 1;
  params.policy.hidden_size = 16;
  params.policy_training.max_steps = 10;
  return params;
}

template <class Derived>
inline bool same_bits(const Eigen::DenseBase<Derived>& a, const Eigen::DenseBase<Derived>& b) {
  using Scalar = typename Derived::Scalar;
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  if (a.size() == 0) return true;  // empty (not yet set): no data pointer to hand to memcmp
  const auto x = a.derived().eval();
  const auto y = b.derived().eval();
  return std::memcmp(x.data(), y.data(), sizeof(Scalar) * static_cast<std::size_t>(x.size())) == 0;
}

inline bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

template <class Matrix>
inline bool same_bits(const std::vector<Matrix>& a, const std::vector<Matrix>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

inline bool same_bits(const LinearGaussianPolicy& a, const LinearGaussianPolicy& b) {
  return same_bits(a.gain, b.gain) && same_bits(a.bias, b.bias) &&
         same_bits(a.variance, b.variance);
}

inline bool same_state(const GpsState& a, const GpsState& b) {
  if (a.seed != b.seed || a.iteration != b.iteration || a.groups.size() != b.groups.size() ||
      a.policies.size() != b.policies.size() || !same_bits(a.initial_alpha, b.initial_alpha) ||
      !same_bits(a.initial_beta, b.initial_beta) ||
      !same_bits(a.previous_sample_cost, b.previous_sample_cost)) {
    return false;
  }
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    const GpsGroupState& x = a.groups[g];
    const GpsGroupState& y = b.groups[g];
    if (!same_bits(x.sampling_policy, y.sampling_policy) ||
        !same_bits(x.previous_sampling_policy, y.previous_sampling_policy) ||
        !same_bits(x.eta, y.eta) || !same_bits(x.step_multiplier, y.step_multiplier) ||
        !same_bits(x.duals.lambda, y.duals.lambda) || !same_bits(x.duals.nu, y.duals.nu) ||
        !same_bits(x.units.state_scale, y.units.state_scale) ||
        !same_bits(x.units.action_scale, y.units.action_scale) ||
        !same_bits(x.cost_normaliser, y.cost_normaliser) ||
        !same_bits(x.previous_dynamics.transition, y.previous_dynamics.transition) ||
        !same_bits(x.previous_dynamics.offset, y.previous_dynamics.offset) ||
        !same_bits(x.previous_dynamics.noise_cov, y.previous_dynamics.noise_cov) ||
        !same_bits(x.previous_dynamics.initial_mean, y.previous_dynamics.initial_mean) ||
        !same_bits(x.previous_dynamics.initial_cov, y.previous_dynamics.initial_cov) ||
        !same_bits(x.previous_cost.hessian, y.previous_cost.hessian) ||
        !same_bits(x.previous_cost.gradient, y.previous_cost.gradient) ||
        !same_bits(x.previous_linearisation, y.previous_linearisation)) {
      return false;
    }
  }
  // The policies (none before iteration 0) with their frozen constants and Adam's state.
  for (std::size_t g = 0; g < a.policies.size(); ++g) {
    const PolicyConstants& constants_x = a.policies[g].constants();
    const PolicyConstants& constants_y = b.policies[g].constants();
    const AdamState adam_x = a.policies[g].optimizer_state();
    const AdamState adam_y = b.policies[g].optimizer_state();
    if (!same_bits(a.policies[g].weights().values(), b.policies[g].weights().values()) ||
        !same_bits(constants_x.normalisation.scale, constants_y.normalisation.scale) ||
        !same_bits(constants_x.normalisation.offset, constants_y.normalisation.offset) ||
        !same_bits(constants_x.action_scale, constants_y.action_scale) ||
        !same_bits(adam_x.first_moment, adam_y.first_moment) ||
        !same_bits(adam_x.second_moment, adam_y.second_moment) ||
        adam_x.iteration != adam_y.iteration) {
      return false;
    }
  }
  return true;
}

/// Every logged number except the timings.
inline std::vector<double> logged_numbers(const GpsIterationSummary& s) {
  std::vector<double> numbers(s.sample_costs);
  numbers.insert(numbers.end(), s.noise_free_costs.begin(), s.noise_free_costs.end());
  numbers.push_back(s.noise_free_cost);
  numbers.insert(numbers.end(), s.evaluation.rollout_scores.begin(),
                 s.evaluation.rollout_scores.end());
  numbers.insert(numbers.end(), {s.mean_sample_cost, s.evaluation.score, s.mean_initial_kl,
                                 s.mean_final_kl, s.predicted_improvement, s.realised_improvement});
  for (const GroupDiagnostics& d : s.groups) {
    numbers.insert(
        numbers.end(),
        {d.eta, d.kl_bound, d.trust_region_kl, static_cast<double>(d.dgd_iterations),
         d.policy_kl_before, d.policy_kl_after, d.predicted_improvement, d.actual_improvement,
         d.step_multiplier, d.gradient_r_squared.mean, d.cost_condition.max,
         d.dynamics_condition.max, d.linearisation_condition.max, d.curvature.mean,
         d.own_step_response.mean, static_cast<double>(d.step_accepted)});
  }
  for (const auto& group : s.dgd) {
    for (const DgdResult& r : group) {
      numbers.insert(numbers.end(), {r.eta, r.kl, r.epsilon, static_cast<double>(r.iterations)});
    }
  }
  for (const auto& group : s.policy_updates) {
    for (const PolicyUpdateReport& u : group) {
      numbers.insert(numbers.end(), u.step_losses.begin(), u.step_losses.end());
      numbers.insert(numbers.end(), u.gradient_norms.begin(), u.gradient_norms.end());
    }
  }
  return numbers;
}

}  // namespace l2o::test
