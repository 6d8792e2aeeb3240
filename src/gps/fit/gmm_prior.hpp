#pragma once
// The optional GMM prior of the dynamics fit (gps-spec.md §5.4; [GPS] `DynamicsPriorGMM`,
// `utility/gmm.py`): a Gaussian mixture over the full (2n+1)-dim (153 for n = 76) transition points
// y = [s_t; a_t; s_{t+1}] of all time steps, fitted by EM, whose responsibilities on the points of
// one step t give that step's NIW prior moments (mu_0, Sigma_0).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "gps/fit/fit_error.hpp"
#include "gps/fit/niw_prior.hpp"
#include "gps/fit/sufficient_statistics.hpp"
#include "util/random_stream.hpp"

namespace l2o {

/// Dimension of a transition point y = [s_t (n); a_t; s_{t+1} (n)]; a_t sits at index n.
constexpr Eigen::Index transition_point_dim(int state_dim) {
  return 2 * Eigen::Index{state_dim} + 1;
}

/// A Gaussian mixture sum_k w_k N(mu_k, Sigma_k).
struct GaussianMixture {
  Eigen::VectorXd weights;                   ///< K mixing weights w_k (sum 1)
  std::vector<Eigen::VectorXd> means;        ///< K means mu_k
  std::vector<Eigen::MatrixXd> covariances;  ///< K covariances Sigma_k (positive definite)

  /// K.
  [[nodiscard]] int clusters() const { return static_cast<int>(weights.size()); }
  /// Dimension of the points (0 for an empty mixture).
  [[nodiscard]] Eigen::Index dim() const { return means.empty() ? 0 : means.front().size(); }

  /// Q x K matrix of log p(k | y_i) for the points y_i (rows of `points`), normalised per row
  /// by log-sum-exp; `log_likelihood`, if given, receives sum_i log p(y_i). Log densities via
  /// Cholesky factors; throws std::domain_error if a covariance is not positive definite.
  [[nodiscard]] Eigen::MatrixXd log_responsibilities(
      const Eigen::Ref<const Eigen::MatrixXd>& points, double* log_likelihood = nullptr) const;

  /// Prior moments for the query set Y (rows of `points`, at least one) (gps-spec.md §5.4):
  /// r_k = mean over Y of p(k | y) (log space), mu_0 = sum_k r_k mu_k,
  /// Sigma_0 = sum_k r_k (Sigma_k + (mu_k - mu_0)(mu_k - mu_0)^T); count = |Y|.
  [[nodiscard]] GaussianMoments prior_moments(
      const Eigen::Ref<const Eigen::MatrixXd>& points) const;
};

/// A fitted mixture and its EM trace.
struct GmmFit {
  GaussianMixture mixture;             ///< parameters after the last M-step
  std::vector<double> log_likelihood;  ///< sum_i log p(y_i) at every E-step, in order
  bool warm_started = false;           ///< whether EM started from the given previous mixture
};

/// K = max(2, min(20, floor(Q / 20))) clusters for Q points (gps-spec.md §5.4).
int gmm_cluster_count(Eigen::Index points);

/// EM fit of `clusters` (>= 1) components to the rows of `points` (gps-spec.md §5.4): starts
/// from `warm_start` when it has the same K and dimension, else from a random hard assignment
/// drawn from `random` (covariances + 2e-6 I); every M-step adds 1e-6 I; clusters with weight
/// below 1e-4 / K are refitted with uniform responsibilities; stops when the log-likelihood
/// decreases or changes by less than 1e-5 |l|, after at most 100 E-steps. Parallel over
/// clusters (OpenMP), single-threaded Eigen inside, sums in fixed order: the result does not
/// depend on the thread count. Throws std::invalid_argument on bad sizes, std::domain_error on
/// a non-positive-definite covariance or a non-finite log-likelihood.
GmmFit fit_gmm(const Eigen::Ref<const Eigen::MatrixXd>& points, int clusters, RandomStream& random,
               const GaussianMixture* warm_start = nullptr);

/// The transition points of step t (0 <= t <= T-2) of the given records, one row per recorded
/// coordinate, with inactive components (gps-spec.md §2.2) set to zero.
Eigen::MatrixXd transition_points(const std::vector<const GroupRolloutRecord*>& records, int t);

/// Points per (rollout, step) of the GMM's subsample: floor(20000 / (N (T-1))) for N rollouts,
/// clamped to [1, P] (gps-spec.md §5.4's Q <= 20000, stratified: docs/gps-design.md "GMM prior").
/// Throws std::invalid_argument unless P >= 1, N >= 1, T >= 2.
int gmm_points_per_step(Eigen::Index recorded, int rollouts, int horizon);

/// One rollout's share of the GMM's subsample: for every step t = 0..T-2, `per_step` (1..P) of
/// its P transition points drawn without replacement, every subset equally likely (selection
/// sampling, kept in row order); (T-1) * per_step rows, step-major. Drawn per rollout from the
/// caller's stream, so the subsample does not depend on which rank holds the rollout.
Eigen::MatrixXd subsample_rollout_points(const GroupRolloutRecord& record, int per_step,
                                         RandomStream& random);

/// The §5.4 prior of one group at one GPS iteration.
struct GmmDynamicsPrior {
  GmmFit fit;                          ///< the mixture and its EM trace
  std::vector<GaussianMoments> steps;  ///< T-1 prior moments over the full 153-dim y, t = 0..T-2
};

/// Fits the GMM on every rollout's subsample (subsample_rollout_points, in rollout order) plus
/// `reused` (the previous iteration's points with gps.reuse_samples, else empty), from the
/// stream (seed, "gmm-init", {iteration, group}) of `context` or warm-started from `previous`
/// when K is unchanged, and returns the prior moments of every step t: the query set of step t
/// is the subsample's points of step t (rows t q .. t q + q - 1 of every rollout). Throws
/// std::invalid_argument on inconsistent shapes, FitError naming group and iteration on a
/// failed fit.
GmmDynamicsPrior fit_gmm_dynamics_prior(const std::vector<Eigen::MatrixXd>& rollout_points,
                                        int per_step, const Eigen::MatrixXd& reused,
                                        const GaussianMixture* previous, std::uint64_t seed,
                                        const FitContext& context);

}  // namespace l2o
