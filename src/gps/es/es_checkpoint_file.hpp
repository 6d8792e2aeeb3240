#pragma once
// The checkpoint of the ES path (gps.local_optimizer = "es"), written after every generation:
//   @method "gps" (the meta_train.method the resume check compares), @local_optimizer "es",
//   @generation (generations done), @seed
//   start/   the exact start psi_0 (es_model_file.hpp layout)
//   theta    [D] the search centre: psi = start + S theta (es_search.hpp)
//   mean_cost [generation], step_norm [generation]: the per-generation history
//   imitation/  once the imitation phase (es_imitation.hpp) has started:
//     @round (rounds done; the model file holds pi after the last)
//     psi_cost [E]         psi's meta-loss on the evaluation rollouts
//     policy_loss, pi_cost, gap [round]: per round, the mean §8.4 loss of the groups' updates,
//                          pi's mean meta-loss and the imitation gap (pi's minus psi's)
//     policy_<g>/          pi of group g with Adam's state (policy_io.hpp)
// The perturbations and rollout seeds are functions of (seed, generation, pair), so a resumed run
// is bitwise the uninterrupted one.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <vector>

#include "gps/es/es_controller.hpp"
#include "gps/loop/gps_state.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// /checkpoint@local_optimizer of the ES path (its @method is "gps", like the LQG path's).
inline constexpr const char* kEsLocalOptimizer = "es";

/// The imitation phase's state.
struct ImitationCheckpoint {
  int round = 0;                    ///< rounds done
  std::vector<GpsPolicy> policies;  ///< pi per group, with Adam's state
  std::vector<double> psi_cost;     ///< psi's meta-loss per evaluation rollout
  std::vector<double> policy_loss;  ///< per round done: mean policy-update loss over groups
  std::vector<double> pi_cost;      ///< per round done: pi's mean meta-loss
  std::vector<double> gap;          ///< per round done: pi's mean minus psi's mean
};

/// Everything a resumed ES run needs.
struct EsCheckpoint {
  std::uint64_t seed = 0;
  int generation = 0;  ///< generations done
  EsController start;
  Eigen::VectorXd theta;
  std::vector<double> mean_cost;                 ///< per generation: mean cost of its members
  std::vector<double> step_norm;                 ///< per generation: |theta step|
  std::optional<ImitationCheckpoint> imitation;  ///< from the imitation phase's first round on
};

void write_es_checkpoint(const Hdf5Group& group, const EsCheckpoint& checkpoint);

/// Throws InputError (one line naming the file and the fix) if `group` is not an ES checkpoint,
/// is damaged, or its start or theta do not fit `start` (the config's). Imitation policies are
/// read with `policy` (Adam's hyperparameters, the observation dimension).
EsCheckpoint read_es_checkpoint(const Hdf5Group& group, const EsController& start,
                                const LstmPolicyParams& policy = {});

}  // namespace l2o
