// Forward steps of the batched LSTM engine against its scalar reference twin, state carried across
// calls, subset resets, independence of the block size and thread count, float against double,
// denormals flushed.
#include <omp.h>
#include <xmmintrin.h>

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "nn/lstm_engine.hpp"
#include "nn/lstm_reference.hpp"
#include "nn/lstm_test_util.hpp"

using Eigen::MatrixXd;
using l2o::LstmEngine;
using l2o::LstmEngineParams;
using l2o::LstmParameters;
using l2o::LstmShape;
using l2o::LstmState;
using l2o::LstmTape;
using l2o::test::random_matrix;

namespace {

const LstmShape kTwoLayers{.input_size = 3, .hidden_size = 9, .num_layers = 2, .output_size = 2};

}  // namespace

TEST_CASE("lstm engine: steps equal the scalar reference, coordinate by coordinate") {
  const Eigen::Index batch = 11, steps = 3;
  const auto parameters = l2o::test::random_parameters(kTwoLayers, 0.5, 1);
  LstmState<double> state(kTwoLayers, batch);
  l2o::test::randomize_state(state, 2);
  // Reference memories per coordinate, copied from the same initial state.
  std::vector<std::vector<Eigen::VectorXd>> h(batch), c(batch);
  for (Eigen::Index n = 0; n < batch; ++n) {
    for (Eigen::Index layer = 0; layer < kTwoLayers.num_layers; ++layer) {
      h[n].emplace_back(state.h(layer).row(n).transpose());
      c[n].emplace_back(state.c(layer).row(n).transpose());
    }
  }
  // rows_per_block 4 splits the 11 coordinates into blocks 4, 4, 3.
  LstmEngine<double> engine(kTwoLayers, LstmEngineParams{.rows_per_block = 4});
  MatrixXd output(batch, kTwoLayers.output_size);
  for (Eigen::Index t = 0; t < steps; ++t) {
    const MatrixXd input = random_matrix(batch, kTwoLayers.input_size, 1.0, 10 + t, "x");
    engine.step(parameters, input, state, output);
    for (Eigen::Index n = 0; n < batch; ++n) {
      const Eigen::VectorXd expected =
          l2o::lstm_reference_step(parameters, input.row(n).transpose(), h[n], c[n]);
      CHECK((output.row(n).transpose() - expected).cwiseAbs().maxCoeff() < 1e-13);
    }
  }
  for (Eigen::Index n = 0; n < batch; ++n) {
    for (Eigen::Index layer = 0; layer < kTwoLayers.num_layers; ++layer) {
      CHECK((state.h(layer).row(n).transpose() - h[n][layer]).cwiseAbs().maxCoeff() < 1e-13);
      CHECK((state.c(layer).row(n).transpose() - c[n][layer]).cwiseAbs().maxCoeff() < 1e-13);
    }
  }
}

TEST_CASE("lstm engine: k single steps equal one sequence call, and truncations chain") {
  const Eigen::Index batch = 7, steps = 6;
  const auto parameters = l2o::test::random_parameters(kTwoLayers, 0.5, 3);
  const MatrixXd inputs = random_matrix(batch, steps * kTwoLayers.input_size, 1.0, 4, "x");
  LstmEngine<double> engine(kTwoLayers, LstmEngineParams{.rows_per_block = 3});
  const Eigen::Index in = kTwoLayers.input_size, out = kTwoLayers.output_size;

  LstmState<double> one_at_a_time(kTwoLayers, batch);
  MatrixXd stepped(batch, steps * out);
  for (Eigen::Index t = 0; t < steps; ++t) {
    MatrixXd output(batch, out);
    engine.step(parameters, inputs.middleCols(t * in, in), one_at_a_time, output);
    stepped.middleCols(t * out, out) = output;
  }
  LstmState<double> whole(kTwoLayers, batch);
  MatrixXd sequence(batch, steps * out);
  engine.forward_sequence(parameters, inputs, whole, sequence);
  // Two recorded truncations of 3 steps, the second starting from the first's final state.
  LstmState<double> truncated(kTwoLayers, batch);
  MatrixXd chained(batch, steps * out);
  LstmTape<double> tape;
  for (Eigen::Index u = 0; u < 2; ++u) {
    tape.clear();
    engine.forward_sequence(parameters, inputs.middleCols(u * 3 * in, 3 * in), truncated,
                            chained.middleCols(u * 3 * out, 3 * out), tape);
    CHECK(tape.steps() == 3);
  }
  // The same arithmetic in the same order: bitwise equal.
  CHECK(stepped == sequence);
  CHECK(chained == sequence);
  for (Eigen::Index layer = 0; layer < kTwoLayers.num_layers; ++layer) {
    CHECK(one_at_a_time.h(layer) == whole.h(layer));
    CHECK(one_at_a_time.c(layer) == whole.c(layer));
    CHECK(truncated.c(layer) == whole.c(layer));
  }
}

TEST_CASE("lstm engine: reset_rows restarts exactly the listed coordinates") {
  const Eigen::Index batch = 6;
  const auto parameters = l2o::test::random_parameters(kTwoLayers, 0.5, 5);
  LstmEngine<double> engine(kTwoLayers, LstmEngineParams{.rows_per_block = 4});
  LstmState<double> state(kTwoLayers, batch);
  MatrixXd output(batch, kTwoLayers.output_size);
  for (Eigen::Index t = 0; t < 3; ++t) {
    engine.step(parameters, random_matrix(batch, 3, 1.0, 20 + t, "x"), state, output);
  }
  LstmState<double> untouched = state;
  const std::array<Eigen::Index, 2> rows{1, 4};
  state.reset_rows(rows);
  LstmState<double> fresh(kTwoLayers, batch);
  const MatrixXd input = random_matrix(batch, 3, 1.0, 30, "x");
  MatrixXd continued(batch, 2), restarted(batch, 2);
  engine.step(parameters, input, state, output);
  engine.step(parameters, input, untouched, continued);
  engine.step(parameters, input, fresh, restarted);
  for (Eigen::Index n = 0; n < batch; ++n) {
    const bool was_reset = n == 1 || n == 4;
    CHECK(output.row(n) == (was_reset ? restarted.row(n) : continued.row(n)));
  }
  const std::array<Eigen::Index, 1> bad{batch};
  CHECK_THROWS_AS(state.reset_rows(bad), std::out_of_range);
  state.reset();
  CHECK(state.h(1).isZero(0.0));
  CHECK(state.c(0).isZero(0.0));
}

namespace {

struct ThreadRunResult {
  MatrixXd outputs, d_inputs;
  Eigen::VectorXd gradient;
};

// Forward sequence and backward of `shape` on random data with `threads` OpenMP threads.
ThreadRunResult run_with_threads(const LstmShape& shape, Eigen::Index batch, Eigen::Index steps,
                                 Eigen::Index rows_per_block, int threads) {
  const auto parameters = l2o::test::random_parameters(shape, 0.5, 6);
  const MatrixXd inputs = random_matrix(batch, steps * shape.input_size, 1.0, 7, "x");
  const MatrixXd d_outputs = random_matrix(batch, steps * shape.output_size, 1.0, 8, "dy");
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  LstmEngine<double> engine(shape, LstmEngineParams{.rows_per_block = rows_per_block});
  LstmState<double> state(shape, batch);
  LstmTape<double> tape;
  ThreadRunResult result{MatrixXd(batch, steps * shape.output_size),
                         MatrixXd(batch, steps * shape.input_size),
                         Eigen::VectorXd(shape.parameter_count())};
  engine.forward_sequence(parameters, inputs, state, result.outputs, tape);
  engine.backward(parameters, tape, d_outputs, result.gradient, result.d_inputs);
  omp_set_num_threads(saved);
  return result;
}

}  // namespace

TEST_CASE("lstm engine: results do not depend on thread count, block size only in rounding") {
  const Eigen::Index batch = 37, steps = 4;
  const auto serial = run_with_threads(kTwoLayers, batch, steps, 5, 1);
  const auto parallel = run_with_threads(kTwoLayers, batch, steps, 5, 2);
  const auto one_block = run_with_threads(kTwoLayers, batch, steps, 256, 1);
  CHECK(parallel.outputs == serial.outputs);
  CHECK(parallel.d_inputs == serial.d_inputs);
  CHECK(parallel.gradient == serial.gradient);
  CHECK((one_block.outputs - serial.outputs).cwiseAbs().maxCoeff() < 1e-13);
  CHECK((one_block.d_inputs - serial.d_inputs).cwiseAbs().maxCoeff() < 1e-13);
  CHECK((one_block.gradient - serial.gradient).cwiseAbs().maxCoeff() <
        1e-13 * serial.gradient.cwiseAbs().maxCoeff());
}

TEST_CASE("lstm engine: deep reductions of the GPS policy shape do not depend on thread count") {
  // 4H = 512 and a 300-row block: both exceed the depth at which Eigen 3.4 splits a GEMM's
  // summation differently for one and two planned threads, one block or two.
  const LstmShape shape{};
  for (const Eigen::Index batch : {Eigen::Index{300}, Eigen::Index{600}}) {
    const auto serial = run_with_threads(shape, batch, 3, 512, 1);
    const auto parallel = run_with_threads(shape, batch, 3, 512, 2);
    CHECK(parallel.outputs == serial.outputs);
    CHECK(parallel.d_inputs == serial.d_inputs);
    CHECK(parallel.gradient == serial.gradient);
  }
}

TEST_CASE("lstm engine: float agrees with double on the GPS policy shape") {
  // gps-spec §8.1 shape and initialisation, with a non-zero read-out so the output is informative.
  const LstmShape shape{};
  const Eigen::Index batch = 64, steps = 20;
  LstmParameters<double> parameters(shape);
  l2o::RandomStream stream(9, "test-lstm-float");
  parameters.initialize(stream, l2o::LstmInit{.readout_bound = 1.0 / std::sqrt(128.0)});
  const MatrixXd inputs = random_matrix(batch, steps * 3, 1.0, 10, "x");
  const MatrixXd d_outputs = random_matrix(batch, steps, 1.0, 11, "dy");

  LstmEngine<double> engine_d(shape);
  LstmState<double> state_d(shape, batch);
  LstmTape<double> tape_d;
  MatrixXd outputs_d(batch, steps);
  Eigen::VectorXd gradient_d(shape.parameter_count());
  engine_d.forward_sequence(parameters, inputs, state_d, outputs_d, tape_d);
  engine_d.backward(parameters, tape_d, d_outputs, gradient_d);

  using MatrixXf = Eigen::MatrixXf;
  LstmEngine<float> engine_f(shape);
  LstmState<float> state_f(shape, batch);
  LstmTape<float> tape_f;
  MatrixXf outputs_f(batch, steps);
  Eigen::VectorXf gradient_f(shape.parameter_count());
  const LstmParameters<float> parameters_f = parameters.cast<float>();
  engine_f.forward_sequence(parameters_f, inputs.cast<float>(), state_f, outputs_f, tape_f);
  engine_f.backward(parameters_f, tape_f, d_outputs.cast<float>(), gradient_f);

  // Documented tolerance: float rounding (2^-24 ~ 6e-8) of 132-term dot products and Eigen's
  // float tanh/logistic (a few ulp), compounded over 20 recurrent steps, stays below 1e-5 of the
  // output scale (measured 3e-7); the gradient sums 64 x 20 such terms, below 1e-5 relative in
  // norm (measured 2e-7).
  const double output_scale = outputs_d.cwiseAbs().maxCoeff();
  CHECK(output_scale > 0.05);
  CHECK((outputs_f.cast<double>() - outputs_d).cwiseAbs().maxCoeff() < 1e-5 * output_scale);
  CHECK((gradient_f.cast<double>() - gradient_d).norm() < 1e-5 * gradient_d.norm());
}

TEST_CASE("lstm engine: bad sizes are rejected with the argument named") {
  LstmEngine<double> engine(kTwoLayers);
  const auto parameters = l2o::test::random_parameters(kTwoLayers, 0.5, 12);
  LstmState<double> state(kTwoLayers, 4);
  MatrixXd output(4, 2);
  CHECK_THROWS_WITH(engine.step(parameters, MatrixXd(4, 2), state, output),
                    Catch::Contains("input columns"));
  CHECK_THROWS_WITH(engine.step(parameters, MatrixXd(3, 3), state, output),
                    Catch::Contains("input rows"));
  LstmTape<double> tape;
  engine.step(parameters, MatrixXd::Zero(4, 3), state, output, tape);
  LstmState<double> other(kTwoLayers, 5);
  MatrixXd other_output(5, 2);
  CHECK_THROWS_WITH(engine.step(parameters, MatrixXd::Zero(5, 3), other, other_output, tape),
                    Catch::Contains("batch size of the tape"));
  Eigen::VectorXd gradient(kTwoLayers.parameter_count());
  CHECK_THROWS_WITH(engine.backward(parameters, tape, MatrixXd(4, 4), gradient),
                    Catch::Contains("d_outputs columns"));
  CHECK_THROWS_AS(LstmEngine<double>(kTwoLayers, LstmEngineParams{.rows_per_block = 0}),
                  std::invalid_argument);
}

TEST_CASE("lstm engine: denormals are flushed to zero, and the caller's MXCSR is restored") {
  // Zero weights but the cell gate's bias: h = s(0) tanh(s(0) tanh(1)) ~ 0.18 in every cell, and
  // a read-out weight below FLT_MIN would make the output a denormal ~ 7e-40; flushed, it is 0.
  // A forward step and a backward pass run on 2 blocks, in whatever threads OpenMP gives them.
  const LstmShape shape{.input_size = 3, .hidden_size = 4, .num_layers = 1, .output_size = 1};
  LstmParameters<float> parameters(shape);
  parameters.b_ih(0).segment(2 * 4, 4).setConstant(1.0F);
  parameters.w_out().setConstant(1e-39F);
  REQUIRE(std::fpclassify(parameters.w_out()(0, 0)) == FP_SUBNORMAL);
  LstmEngine<float> engine(shape, LstmEngineParams{.rows_per_block = 16});
  LstmState<float> state(shape, 32);
  Eigen::MatrixXf output(32, 1);
  LstmTape<float> tape;
  // MXCSR's control bits (rounding, masks, FTZ, DAZ); bits 0-5 are sticky exception flags.
  const auto control = [] { return _mm_getcsr() & ~0x3Fu; };
  const unsigned before = control();
  engine.step(parameters, Eigen::MatrixXf::Zero(32, 3), state, output, tape);
  CHECK(control() == before);
  CHECK(state.h(0)(0, 0) > 0.1F);
  CHECK((output.array() == 0.0F).all());
  // The read-out bias gradient is the sum of d_outputs (1 each); the read-out weight's gradient
  // sum_n h_n is normal; the gradient reaching h through the denormal weight is flushed to 0, so
  // no gate weight moves.
  Eigen::VectorXf gradient(shape.parameter_count());
  engine.backward(parameters, tape, Eigen::MatrixXf::Ones(32, 1), gradient);
  CHECK(control() == before);
  LstmParameters<float> unpacked(shape);
  unpacked.values() = gradient;
  CHECK(unpacked.b_out()(0) == 32.0F);
  CHECK(unpacked.w_out()(0, 0) > 1.0F);
  CHECK((unpacked.w_hh(0).array() == 0.0F).all());
  CHECK((unpacked.b_ih(0).array() == 0.0F).all());
}
