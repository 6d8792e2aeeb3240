// Backpropagation through time checked against central finite differences of a sequence loss
// (gps-spec §17 P1), for a 2-layer (L2L-like, §16.1) and a 1-layer (policy-like, §8.1) network,
// starting from a non-zero state as a truncation after the first would (§16.2).
#include <catch2/catch.hpp>

#include "finite_difference_check.hpp"
#include "nn/lstm_engine.hpp"
#include "nn/lstm_test_util.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;
using l2o::LstmEngine;
using l2o::LstmEngineParams;
using l2o::LstmParameters;
using l2o::LstmShape;
using l2o::LstmState;
using l2o::LstmTape;
using l2o::test::check_against_finite_differences;

namespace {

// Loss sum_t sum_n (r . y + |y|^2 / 2): nonlinear in the outputs, dLoss/dy = r + y.
double sequence_loss(const MatrixXd& outputs, const MatrixXd& weights) {
  return (weights.array() * outputs.array()).sum() + 0.5 * outputs.squaredNorm();
}

void check_gradient(const LstmShape& shape, Eigen::Index batch, Eigen::Index steps,
                    std::uint64_t seed) {
  const auto parameters = l2o::test::random_parameters(shape, 0.5, seed);
  const MatrixXd inputs =
      l2o::test::random_matrix(batch, steps * shape.input_size, 1.0, seed + 1, "x");
  const MatrixXd weights =
      l2o::test::random_matrix(batch, steps * shape.output_size, 1.0, seed + 2, "r");
  LstmState<double> initial(shape, batch);
  l2o::test::randomize_state(initial, seed + 3);
  // Blocks of 2 rows, so the row-block paths (and a short last block) are exercised.
  LstmEngine<double> engine(shape, LstmEngineParams{.rows_per_block = 2});

  const auto loss = [&](const LstmParameters<double>& p, const MatrixXd& x) {
    LstmState<double> state = initial;
    MatrixXd outputs(batch, steps * shape.output_size);
    engine.forward_sequence(p, x, state, outputs);
    return sequence_loss(outputs, weights);
  };

  LstmState<double> state = initial;
  LstmTape<double> tape;
  MatrixXd outputs(batch, steps * shape.output_size);
  engine.forward_sequence(parameters, inputs, state, outputs, tape);
  VectorXd gradient(shape.parameter_count());
  MatrixXd d_inputs(batch, steps * shape.input_size);
  engine.backward(parameters, tape, weights + outputs, gradient, d_inputs);

  // Central differences: truncation ~ step^2 |L'''| ~ 1e-10, rounding ~ 1e-16 |L| / step ~ 1e-11.
  const double step = 1e-5;
  VectorXd numeric(gradient.size());
  LstmParameters<double> shifted = parameters;
  for (Eigen::Index k = 0; k < gradient.size(); ++k) {
    shifted.values()(k) = parameters.values()(k) + step;
    const double plus = loss(shifted, inputs);
    shifted.values()(k) = parameters.values()(k) - step;
    const double minus = loss(shifted, inputs);
    shifted.values()(k) = parameters.values()(k);
    numeric(k) = (plus - minus) / (2 * step);
  }
  check_against_finite_differences(gradient, numeric);

  VectorXd numeric_inputs(inputs.size());
  MatrixXd shifted_inputs = inputs;
  for (Eigen::Index k = 0; k < inputs.size(); ++k) {
    shifted_inputs.data()[k] = inputs.data()[k] + step;
    const double plus = loss(parameters, shifted_inputs);
    shifted_inputs.data()[k] = inputs.data()[k] - step;
    const double minus = loss(parameters, shifted_inputs);
    shifted_inputs.data()[k] = inputs.data()[k];
    numeric_inputs(k) = (plus - minus) / (2 * step);
  }
  check_against_finite_differences(d_inputs.reshaped(), numeric_inputs);

  // A reused tape (cleared, same length) gives the same gradient.
  tape.clear();
  state = initial;
  engine.forward_sequence(parameters, inputs, state, outputs, tape);
  VectorXd again(shape.parameter_count());
  engine.backward(parameters, tape, weights + outputs, again);
  CHECK(again == gradient);
}

}  // namespace

TEST_CASE("lstm gradient: two layers, BPTT equals finite differences") {
  check_gradient({.input_size = 2, .hidden_size = 6, .num_layers = 2, .output_size = 1}, 3, 5, 100);
}

TEST_CASE("lstm gradient: one layer, BPTT equals finite differences") {
  check_gradient({.input_size = 3, .hidden_size = 7, .num_layers = 1, .output_size = 2}, 5, 4, 200);
}
