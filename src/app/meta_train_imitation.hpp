#pragma once
// The imitation phase of `l2o meta-train` with gps.local_optimizer = "es" and
// gps.imitation_rounds > 0 (issue 19 item 2, gps/es/es_imitation.hpp): after the ES generations,
// the LSTM policy pi with a relative output learns psi's actions on a mixture of psi's and its own
// rollouts. Recorded rollout k and evaluation rollout e run on ranks k mod Z and e mod Z and are
// gathered in unit order; the policy updates are data parallel (policy_training.hpp), so every
// number is independent of the rank and thread count. After every round the model file (the
// latest pi) and the checkpoint are written.
#include <functional>

#include "app/meta_train_instances.hpp"
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"
#include "gps/es/es_checkpoint_file.hpp"
#include "gps/es/es_imitation.hpp"
#include "io/config.hpp"

namespace l2o {

/// Where the phase's results go (the caller adds provenance; called on every rank).
struct ImitationOutputs {
  std::function<void(const EsCheckpoint&)> checkpoint;
  std::function<void(const std::vector<GpsPolicy>&, FeatureSet, const RelativeOutput&)> model;
};

/// The gps.imitation_* keys; throws InputError naming the key.
ImitationParams imitation_params_from_config(const Config& config);

/// pi's architecture: gps.policy_hidden_size cells reading gps.features and the time input.
LstmPolicyParams imitation_policy_params(const Config& config);

/// Runs the rounds of `checkpoint.imitation` (started here if absent) up to gps.imitation_rounds
/// with psi = `psi`; rollout k (recorded or evaluation) on instance k mod n. Returns kExitStopped
/// after a stop request, else 0.
int run_imitation(const Config& config, const RunOptions& options, const MpiSession& mpi,
                  const std::vector<MetaTrainInstance>& instances, const EsController& psi,
                  EsCheckpoint& checkpoint, const ImitationOutputs& outputs);

}  // namespace l2o
