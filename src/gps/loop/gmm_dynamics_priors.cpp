#include "gps/loop/gmm_dynamics_priors.hpp"

#include <stdexcept>

#include "dist/mpi_session.hpp"
#include "dist/unit_gather.hpp"
#include "dist/word_gather.hpp"
#include "util/random_stream.hpp"

namespace l2o {

std::vector<std::optional<GmmDynamicsPrior>> fit_gmm_dynamics_priors(
    const std::vector<RolloutRecord>& records, const GmmPriorRound& round,
    std::vector<Eigen::MatrixXd>& reused) {
  const std::size_t groups = round.owned.size();
  const std::vector<std::int64_t> local_rollouts =
      owned_units(round.rollouts, world_rank(), world_size());
  if (reused.size() != groups || round.recorded.size() != groups ||
      local_rollouts.size() != records.size()) {
    throw std::invalid_argument(
        "fit_gmm_dynamics_priors: need one reused set and P per group, and this rank's rollouts");
  }
  // Group g's block: (T-1) q_g rows of every rollout's gathered matrix, in group order.
  std::vector<int> per_step;
  std::vector<Eigen::Index> first_row{0};
  for (std::size_t g = 0; g < groups; ++g) {
    per_step.push_back(gmm_points_per_step(round.recorded[g], round.rollouts, round.horizon));
    first_row.push_back(first_row.back() + Eigen::Index{per_step[g]} * (round.horizon - 1));
  }
  std::vector<Eigen::MatrixXd> local;
  for (std::size_t n = 0; n < records.size(); ++n) {
    Eigen::MatrixXd stacked;
    for (std::size_t g = 0; g < groups; ++g) {
      RandomStream random(
          round.seed, "gmm-subsample",
          {static_cast<std::uint64_t>(round.iteration), static_cast<std::uint64_t>(g),
           static_cast<std::uint64_t>(local_rollouts[n])});
      const Eigen::MatrixXd part =
          subsample_rollout_points(records[n].groups[g], per_step[g], random);
      if (g == 0) stacked.resize(first_row.back(), part.cols());
      stacked.middleRows(first_row[g], part.rows()) = part;
    }
    local.push_back(std::move(stacked));
  }
  const std::vector<Eigen::MatrixXd> all = allgather_unit_matrices(local, round.rollouts);

  std::vector<std::optional<GmmDynamicsPrior>> priors(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    if (!round.owned[g] && !round.keep_for_reuse) continue;
    const Eigen::Index rows = first_row[g + 1] - first_row[g];
    std::vector<Eigen::MatrixXd> blocks;
    for (const Eigen::MatrixXd& rollout : all)
      blocks.push_back(rollout.middleRows(first_row[g], rows));
    if (round.owned[g]) {
      priors[g] = fit_gmm_dynamics_prior(blocks, per_step[g], reused[g], nullptr, round.seed,
                                         FitContext{static_cast<int>(g), round.iteration});
    }
    if (round.keep_for_reuse) {
      reused[g].resize(rows * round.rollouts, blocks.front().cols());
      for (std::size_t n = 0; n < blocks.size(); ++n) {
        reused[g].middleRows(static_cast<Eigen::Index>(n) * rows, rows) = blocks[n];
      }
    }
  }
  return priors;
}

}  // namespace l2o
