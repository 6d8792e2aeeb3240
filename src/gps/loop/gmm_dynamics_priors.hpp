#pragma once
// Issue 16 item 4: the GMM dynamics prior of gps-spec.md §5.4 in the GPS loop, with optional
// sample reuse (docs/gps-design.md "GMM prior"). Every rollout's stratified subsample of each
// group's transition points is drawn where the rollout ran, from the stream
// (seed, "gmm-subsample", {i, g, n}), and gathered on every rank in rollout order, so the
// mixture a group's owner fits does not depend on the rank count. With reuse, the previous
// iteration's subsample joins the mixture's training points ([GPS] fits its prior on the
// samples of recent iterations); the query set of step t stays this iteration's.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <vector>

#include "gps/fit/gmm_prior.hpp"
#include "gps/loop/rollout_recorder.hpp"

namespace l2o {

/// What fit_gmm_dynamics_priors needs to know about the iteration.
struct GmmPriorRound {
  int iteration = 0;                   ///< i
  std::uint64_t seed = 0;              ///< the run seed
  int rollouts = 0;                    ///< N sample rollouts, spread as owned_units
  int horizon = 0;                     ///< T
  std::vector<Eigen::Index> recorded;  ///< [g]: P_g recorded coordinates per rollout (§3.3)
  std::vector<bool> owned;             ///< [g]: this rank fits group g
  bool keep_for_reuse = false;         ///< store this iteration's subsample in `reused`
};

/// Collective over MPI_COMM_WORLD. `records`: this rank's rollouts, in owned_units order.
/// Returns, per group, the prior on its owner and std::nullopt elsewhere. `reused[g]` holds the
/// previous iteration's subsample of group g (empty: none) and, with round.keep_for_reuse,
/// receives this iteration's on every rank (for the next iteration and the checkpoint). Throws
/// FitError naming group and iteration on a failed fit.
std::vector<std::optional<GmmDynamicsPrior>> fit_gmm_dynamics_priors(
    const std::vector<RolloutRecord>& records, const GmmPriorRound& round,
    std::vector<Eigen::MatrixXd>& reused);

}  // namespace l2o
