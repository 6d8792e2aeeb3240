#pragma once
// The meta-trained L2L update rule as an ordinary optimizer (gps-spec.md §16.2 "Test time", §15):
// per iteration one gradient call on the fresh minibatch and one step of m_phi, coordinatewise,
// so it applies to any parameter vector. Double precision (l2l_network.hpp).
#include <optional>
#include <string>

#include "l2l/l2l_network.hpp"
#include "nn/lstm_parameters.hpp"
#include "nn/lstm_state.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// A learned optimizer with fixed, trained parameters phi.
class L2lOptimizer final : public Optimizer {
 public:
  /// Optimizer applying m_phi with `parameters` (their shape) and checked `params`.
  explicit L2lOptimizer(LstmParameters<double> parameters, const L2lNetworkParams& params = {});

  /// "l2l".
  [[nodiscard]] std::string name() const override { return "l2l"; }
  /// input_size, hidden_size, num_layers, output_size, preprocess_p, output_scale.
  [[nodiscard]] HyperparameterList hyperparameters() const override;
  /// The trained parameters.
  [[nodiscard]] const LstmParameters<double>& parameters() const { return parameters_; }
  /// The current run's memories (state_vector.hpp), to continue it later with
  /// restore_run_state() after start() with the same dimension. Throws std::logic_error before
  /// start().
  [[nodiscard]] Eigen::VectorXd run_state() const;
  /// Continues the run saved by run_state(); throws std::invalid_argument if it does not fit.
  void restore_run_state(const Eigen::VectorXd& state);

 protected:
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  LstmParameters<double> parameters_;
  L2lNetwork network_;
  std::optional<LstmState<double>> state_;  // per-coordinate memories, zero at start()
  Eigen::VectorXd gradient_;
  Eigen::VectorXd delta_;
};

}  // namespace l2o
