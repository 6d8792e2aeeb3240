#pragma once
// Evolution strategies on psi (issue 19 item 1, docs/gps-design.md "ES local optimizer"): the
// model-free replacement of the LQG psi-step, in the spirit of PI²-GPS (Chebotar et al. 2017).
// psi = start + S theta, theta in normalised units (S: 1 for the log-rates, momentum_scale,
// decay_scale, 1 for the size exponent). Each generation draws `pairs` directions eps_j ~ N(0, I);
// the antithetic members theta +- sigma eps_j share one rollout seed (initial point and minibatch
// sequence: common random numbers), so their cost difference holds no seed-to-seed variance. With
// the relative difference d_j = (c+_j - c-_j) / ((c+_j + c-_j) / 2) the update
//   step = -learning_rate * (1/n) sum_j (d_j / rms(d)) eps_j,   |step| <= trust_radius
// is baseline-free (each member's baseline is its twin), invariant to the scale of the meta-loss
// and weighs pairs on task instances of other loss levels alike (gps.es_task_variants), and is
// bounded in theta (the trust region). The meta-loss must be > 0 (a mean cross-entropy is).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "gps/es/es_controller.hpp"

namespace l2o {

/// Parameters of the search.
struct EsSearchParams {
  int pairs = 8;                ///< antithetic pairs per generation (2 pairs members), >= 1
  double sigma = 0.1;           ///< perturbation std in theta units, > 0
  double learning_rate = 0.1;   ///< step per unit normalised gradient estimate, > 0
  double trust_radius = 0.2;    ///< bound on |theta step| (Euclidean), > 0
  double momentum_scale = 1.0;  ///< S entry of beta, > 0
  double decay_scale = 0.1;     ///< S entry of rho, > 0
  /// Throws std::invalid_argument naming the first bad field.
  void check() const;
};

/// Entries of theta for `psi`: per group, the knots' log-rates, beta, rho, a.
Eigen::Index es_search_dimension(const EsController& psi);

/// The controller start + S theta.
EsController es_member(const EsController& start, const Eigen::VectorXd& theta,
                       const EsSearchParams& params);

/// eps_j of generation `generation`: N(0, I) of dimension `dimension` from stream
/// (seed, "es-perturbation", {generation, pair}).
Eigen::VectorXd es_perturbation(std::uint64_t seed, int generation, int pair,
                                Eigen::Index dimension);

/// The shared rollout seed (initial point and minibatches) of pair `pair` of `generation`.
std::uint64_t es_rollout_seed(std::uint64_t seed, int generation, int pair);

/// One update of theta from the pairs' costs.
struct EsUpdate {
  Eigen::VectorXd theta;   ///< the new theta
  double step_norm = 0.0;  ///< |theta_new - theta|
  bool clipped = false;    ///< the trust region bounded the step
  double mean_cost = 0.0;  ///< mean of all members' costs: psi's cost at theta + O(sigma^2)
};

/// theta's update from perturbations (columns eps_j) and the costs of theta + sigma eps_j
/// (`plus`) and theta - sigma eps_j (`minus`). All differences zero: no step.
EsUpdate es_update(const Eigen::VectorXd& theta, const Eigen::MatrixXd& perturbations,
                   const std::vector<double>& plus, const std::vector<double>& minus,
                   const EsSearchParams& params);

}  // namespace l2o
