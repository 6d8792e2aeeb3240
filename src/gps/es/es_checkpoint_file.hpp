#pragma once
// The checkpoint of the ES path (gps.local_optimizer = "es"), written after every generation:
//   @method "gps" (the meta_train.method the resume check compares), @local_optimizer "es",
//   @generation (generations done), @seed
//   start/   the exact start psi_0 (es_model_file.hpp layout)
//   theta    [D] the search centre: psi = start + S theta (es_search.hpp)
//   mean_cost [generation], step_norm [generation]: the per-generation history
// The perturbations and rollout seeds are functions of (seed, generation, pair), so a resumed run
// is bitwise the uninterrupted one.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "gps/es/es_controller.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// /checkpoint@local_optimizer of the ES path (its @method is "gps", like the LQG path's).
inline constexpr const char* kEsLocalOptimizer = "es";

/// Everything a resumed ES run needs.
struct EsCheckpoint {
  std::uint64_t seed = 0;
  int generation = 0;  ///< generations done
  EsController start;
  Eigen::VectorXd theta;
  std::vector<double> mean_cost;  ///< per generation: mean cost of its members
  std::vector<double> step_norm;  ///< per generation: |theta step|
};

void write_es_checkpoint(const Hdf5Group& group, const EsCheckpoint& checkpoint);

/// Throws InputError (one line naming the file and the fix) if `group` is not an ES checkpoint,
/// is damaged, or its start or theta do not fit `start` (the config's).
EsCheckpoint read_es_checkpoint(const Hdf5Group& group, const EsController& start);

}  // namespace l2o
