#include "gps/lqg/lqg_backward_pass.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

void LqgParams::check() const {
  if (!(eta_increment > 0.0) || !std::isfinite(eta_increment)) {
    throw std::invalid_argument("LqgParams.eta_increment must be finite and > 0");
  }
  if (!(eta_limit > eta_increment)) {
    throw std::invalid_argument("LqgParams.eta_limit must exceed eta_increment");
  }
}

LqgBackwardPass::LqgBackwardPass(Eigen::Index state_dim, Eigen::Index horizon, LqgParams params)
    : state_dim_(state_dim),
      horizon_(horizon),
      params_(params),
      q_matrix_(state_dim + 1, state_dim + 1),
      q_vector_(state_dim + 1),
      value_matrix_(state_dim, state_dim),
      value_vector_(state_dim),
      value_transition_(state_dim, state_dim + 1),
      value_offset_(state_dim),
      direction_(state_dim + 1) {
  if (state_dim <= 0) throw std::invalid_argument("LqgBackwardPass: state_dim must be > 0");
  if (horizon <= 0) throw std::invalid_argument("LqgBackwardPass: horizon must be > 0");
  params_.check();
}

double LqgBackwardPass::solve(const LqgProblem& problem, double eta, LinearGaussianPolicy& policy,
                              const LqgContext& context, LqgValueTrace* trace) {
  problem.check_shapes();
  if (problem.state_dim() != state_dim_ || problem.horizon() != horizon_) {
    throw std::invalid_argument(
        "LqgBackwardPass::solve: problem has n = " + std::to_string(problem.state_dim()) +
        ", T = " + std::to_string(problem.horizon()) + "; workspace was sized for n = " +
        std::to_string(state_dim_) + ", T = " + std::to_string(horizon_));
  }
  if (!(eta > 0.0) || !std::isfinite(eta)) {
    throw std::invalid_argument("LqgBackwardPass::solve: eta must be finite and > 0, got " +
                                std::to_string(eta));
  }
  if (policy.gain.rows() != horizon_ || policy.gain.cols() != state_dim_) {
    policy = LinearGaussianPolicy(state_dim_, horizon_);
  }
  if (trace != nullptr) {
    trace->matrix.assign(static_cast<std::size_t>(horizon_),
                         Eigen::MatrixXd(state_dim_, state_dim_));
    trace->vector.assign(static_cast<std::size_t>(horizon_), Eigen::VectorXd(state_dim_));
  }
  // gps-spec.md §7.3 ([GPS] TrajOptLQRPython.backward): restart from eta_start + delta with a
  // doubling delta until every Q_aa is positive.
  const double eta_start = eta;
  double delta = params_.eta_increment;
  while (true) {
    const Eigen::Index failed_step = sweep(problem, eta, policy, trace);
    if (failed_step < 0) return eta;
    eta = eta_start + delta;
    delta *= 2.0;
    if (eta >= params_.eta_limit) {
      bool dynamics_nan = false;
      for (const auto& transition : problem.dynamics->transition)
        dynamics_nan |= transition.hasNaN();
      for (const auto& offset : problem.dynamics->offset) dynamics_nan |= offset.hasNaN();
      throw LqgError(
          context, failed_step,
          "no positive-definite action precision Q_aa even at eta = " + std::to_string(eta) +
              (dynamics_nan ? "; the fitted dynamics contain NaN"
                            : "; check that the fitted dynamics and cost are finite "
                              "and reasonably conditioned"));
    }
  }
}

void LqgBackwardPass::add_policy_term(const LinearGaussianPolicy& policy, Eigen::Index t,
                                      double weight) {
  // -log N(a; K s + k, S) = 1/2 z^T (u u^T / S) z - (k / S) u^T z + const with u = [-K^T; 1]
  // (gps-spec.md §7.2: M(K, S) = u u^T / S, m(K, k, S) = -(k / S) u).
  const double precision = weight / policy.variance(t);
  direction_.head(state_dim_) = -policy.gain.row(t).transpose();
  direction_(state_dim_) = 1.0;
  q_matrix_.selfadjointView<Eigen::Lower>().rankUpdate(direction_, precision);
  q_vector_ -= (precision * policy.bias(t)) * direction_;
}

Eigen::Index LqgBackwardPass::sweep(const LqgProblem& problem, double eta,
                                    LinearGaussianPolicy& policy, LqgValueTrace* trace) {
  const Eigen::Index n = state_dim_;
  const auto nu = [&](Eigen::Index t) { return problem.duals ? problem.duals->nu(t) : 0.0; };
  for (Eigen::Index t = horizon_ - 1; t >= 0; --t) {
    const auto step = static_cast<std::size_t>(t);
    // Augmented cost of §7.2, divided by (eta + nu_t); symmetrised as it is built.
    const double inv_weight = 1.0 / (eta + nu(t));
    const Eigen::MatrixXd& cost_hessian = problem.cost->hessian[step];
    q_matrix_.noalias() = (0.5 * inv_weight) * (cost_hessian + cost_hessian.transpose());
    q_vector_.noalias() = inv_weight * problem.cost->gradient[step];
    if (problem.duals != nullptr) q_vector_(n) -= inv_weight * problem.duals->lambda(t);
    if (problem.anchor != nullptr) add_policy_term(*problem.anchor, t, eta * inv_weight);
    if (problem.duals != nullptr && nu(t) > 0.0) {
      add_policy_term(*problem.linearisation, t, nu(t) * inv_weight);
    }
    if (t < horizon_ - 1) {
      // rho_t rescales V_{t+1}, which is in units of step t+1's divided cost (§7.3).
      const double rho = (eta + nu(t + 1)) * inv_weight;
      const Eigen::MatrixXd& transition = problem.dynamics->transition[step];
      value_transition_.noalias() = value_matrix_.selfadjointView<Eigen::Lower>() * transition;
      q_matrix_.triangularView<Eigen::Lower>() +=
          (rho * transition.transpose()) * value_transition_;
      value_offset_ = value_vector_;
      value_offset_.noalias() +=
          value_matrix_.selfadjointView<Eigen::Lower>() * problem.dynamics->offset[step];
      q_vector_.noalias() += (rho * transition.transpose()) * value_offset_;
    }
    const double q_aa = q_matrix_(n, n);
    if (!(q_aa > 0.0) || !std::isfinite(q_aa)) return t;
    // Row n of the lower triangle holds Q_as = Q_sa^T.
    const auto q_as = q_matrix_.row(n).head(n);
    policy.variance(t) = 1.0 / q_aa;
    policy.gain.row(t) = -q_as / q_aa;
    policy.bias(t) = -q_vector_(n) / q_aa;
    // V_t = Q_ss + Q_sa K_t = Q_ss - Q_sa Q_as / Q_aa (lower triangle), v_t = q_s + Q_sa k_t.
    value_matrix_.triangularView<Eigen::Lower>() = q_matrix_.topLeftCorner(n, n);
    value_matrix_.selfadjointView<Eigen::Lower>().rankUpdate(q_as.transpose(), -1.0 / q_aa);
    value_vector_ = q_vector_.head(n) + policy.bias(t) * q_as.transpose();
    if (problem.active != nullptr) {
      policy.gain.row(t) = problem.active->row(t).select(policy.gain.row(t).array(), 0.0).matrix();
    }
    if (trace != nullptr) {
      trace->matrix[step] = value_matrix_.selfadjointView<Eigen::Lower>();
      trace->vector[step] = value_vector_;
    }
  }
  return -1;
}

}  // namespace l2o
