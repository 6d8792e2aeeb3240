#pragma once
// `l2o meta-train --method gps` with gps.local_optimizer = "es" (issue 19 item 1): psi, a small
// AdaGrad/RMSprop-containing controller family (gps/es/es_controller.hpp), improved by
// antithetic evolution strategies on the true meta-loss (gps/es/es_search.hpp) from the exact
// tuned start. Member m of a generation runs on rank m mod Z; results are gathered in member
// order, so every number is independent of the rank and thread count. Checkpoints after every
// generation, stops after the current generation on SIGTERM/SIGUSR1 (exit kExitStopped), and
// writes psi's centre as the model (method "es").
#include "app/run_options.hpp"
#include "dist/mpi_session.hpp"
#include "io/config.hpp"

namespace l2o {

/// Runs ES meta-training under `config`; returns the exit code (0 done, kExitStopped stopped).
int run_es_meta_train(const Config& config, const RunOptions& options, const MpiSession& mpi,
                      bool resume);

}  // namespace l2o
