#pragma once
// One truncation of L2L meta-training with its meta-gradient (gps-spec.md §16.2): U optimisee
// steps from a given (x, memories, gradient), the meta-loss L_u = sum_{t=tau+1}^{tau+U}
// f_{B_t}(x^(t)) (weights 1), and dL_u/dphi by backpropagation through the LSTM only. The
// gradient inputs are constants (no second derivatives), so
//   dL_u/dphi = sum_s < delta_s, d Delta x_s / dphi >,  delta_s = sum_{t=s+1}^{tau+U} g_t,
// i.e. backpropagation through time with dLoss/dOutput_s = output_scale * delta_s. The state at
// tau is a constant: no gradient crosses a truncation boundary.
#include <Eigen/Core>

#include "l2l/l2l_episode.hpp"
#include "l2l/l2l_network.hpp"
#include "nn/lstm_parameters.hpp"
#include "nn/lstm_state.hpp"
#include "nn/lstm_tape.hpp"

namespace l2o {

/// Runs truncations and computes their meta-gradients; holds the tape and workspaces.
class L2lTruncation {
 public:
  /// Truncations of the network `network` (shape and hyperparameters).
  explicit L2lTruncation(const LstmShape& shape = l2l_shape(), const L2lNetworkParams& params = {});

  /// Steps tau = first_step .. first_step + steps - 1 of `episode`. On entry x = x^(tau),
  /// `state` = the memories at tau and `gradient` = g_tau (the gradient of B_tau at x^(tau)); on
  /// exit they are x^(tau+U), the memories at tau+U and g_{tau+U} (the next truncation's first
  /// input). Sets meta_gradient (length parameter_count) to dL_u/dphi; returns L_u.
  double run(const LstmParameters<double>& parameters, L2lEpisode& episode, Eigen::Index first_step,
             Eigen::Index steps, Eigen::Ref<Eigen::VectorXd> x, LstmState<double>& state,
             Eigen::Ref<Eigen::VectorXd> gradient, Eigen::Ref<Eigen::VectorXd> meta_gradient);

 private:
  L2lNetwork network_;
  LstmTape<double> tape_;
  Eigen::VectorXd delta_;      // Delta x_s
  Eigen::MatrixXd d_outputs_;  // d x U: g_{s+1}, then output_scale * delta_s (suffix sums)
};

}  // namespace l2o
