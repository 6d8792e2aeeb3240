#pragma once
// The L2L baseline's coordinatewise update rule m_phi (gps-spec.md §16.1; Andrychowicz et al.
// 2016 §3, App. A): each coordinate's minibatch gradient is preprocessed to two inputs, fed to a
// stacked LSTM shared by all coordinates (each with its own memory), and the scaled read-out is
// the step added to x. Double precision throughout: the network is tiny (2 x 20 cells) next to
// the optimisee, and training and test time then use the same arithmetic.
#include <Eigen/Core>
#include <cstdint>

#include "nn/lstm_engine.hpp"
#include "nn/lstm_parameters.hpp"
#include "nn/lstm_shape.hpp"
#include "nn/lstm_state.hpp"
#include "nn/lstm_tape.hpp"

namespace l2o {

/// Hyperparameters of m_phi besides the LSTM shape (gps-spec.md §16.1).
struct L2lNetworkParams {
  double preprocess_p = 10.0;  ///< p of the log/sign preprocessing (> 0; paper 10, ref. code 5)
  double output_scale = 0.1;   ///< step = output_scale * read-out (> 0; ref. code 0.01)

  /// Throws std::invalid_argument "l2l.<field> must be ..." on an out-of-range field.
  void check() const;
};

/// The §16.1 network: input 2, two layers of 20 cells, one output.
LstmShape l2l_shape();

/// §16.1 preprocessing of each coordinate's gradient into row j of `input` (d x 2):
/// (ln|g|/p, sgn g) if |g| >= e^-p, else (-1, e^p g).
void preprocess_gradient(const Eigen::Ref<const Eigen::VectorXd>& gradient, double p,
                         Eigen::Ref<Eigen::MatrixXd> input);

/// §16.1 initialisation: LSTM weights U(+-1/sqrt(H)) (PyTorch's LSTMCell fan-in), read-out
/// U(+-1/sqrt(H)) (Linear's fan-in H), biases 0 except forget-gate biases 1; keyed by `seed`.
LstmParameters<double> initial_l2l_parameters(const LstmShape& shape, std::uint64_t seed);

/// m_phi applied to a whole parameter vector: one LSTM step per call, with workspaces.
class L2lNetwork {
 public:
  /// Network of shape `shape` (input_size 2, output_size 1) with checked `params`.
  explicit L2lNetwork(const LstmShape& shape = l2l_shape(), const L2lNetworkParams& params = {});

  /// The checked hyperparameters.
  [[nodiscard]] const L2lNetworkParams& params() const { return params_; }
  /// The LSTM shape.
  [[nodiscard]] const LstmShape& shape() const { return engine_.shape(); }
  /// The engine (for backward() over steps recorded by step()).
  LstmEngine<double>& engine() { return engine_; }

  /// delta = output_scale * m_phi(pre(gradient)), advancing `state` (one row per coordinate);
  /// appends the step to `tape` when it is not null. Allocates only when the dimension changes.
  void step(const LstmParameters<double>& parameters,
            const Eigen::Ref<const Eigen::VectorXd>& gradient, LstmState<double>& state,
            Eigen::Ref<Eigen::VectorXd> delta, LstmTape<double>* tape = nullptr);

 private:
  L2lNetworkParams params_;
  LstmEngine<double> engine_;
  Eigen::MatrixXd input_;   // d x 2
  Eigen::MatrixXd output_;  // d x 1
};

}  // namespace l2o
