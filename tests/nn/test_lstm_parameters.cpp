// Shape arithmetic, PyTorch parameter layout and initialisation of the coordinatewise LSTM.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "nn/lstm_parameters.hpp"

using l2o::LstmGate;
using l2o::LstmInit;
using l2o::LstmParameters;
using l2o::LstmShape;

TEST_CASE("lstm shape: parameter counts of the GPS policy and the L2L network") {
  // gps-spec §8.1: 4H(I+H) + 8H + H + 1 with I = 3, H = 128.
  const LstmShape policy{};
  CHECK(policy.parameter_count() == 4 * 128 * (3 + 128) + 8 * 128 + 128 + 1);
  // §16.1: two layers of 20 cells, inputs 2 then 20, read-out 20 -> 1.
  const LstmShape l2l{.input_size = 2, .hidden_size = 20, .num_layers = 2, .output_size = 1};
  CHECK(l2l.parameter_count() == (80 * 22 + 160) + (80 * 40 + 160) + 21);
  CHECK(l2l.layer_offset(1) == 80 * 22 + 160);
  CHECK(l2l.readout_offset() == l2l.parameter_count() - 21);
}

TEST_CASE("lstm shape: check names the bad field") {
  LstmShape shape{};
  shape.hidden_size = 0;
  CHECK_THROWS_WITH(shape.check(), Catch::Contains("hidden_size"));
  shape = LstmShape{};
  shape.num_layers = -1;
  CHECK_THROWS_WITH(shape.check(), Catch::Contains("num_layers"));
  CHECK_THROWS_AS(LstmParameters<double>(shape), std::invalid_argument);
  LstmInit init;
  init.readout_bound = -1.0;
  CHECK_THROWS_WITH(init.check(), Catch::Contains("readout_bound"));
}

TEST_CASE("lstm parameters: views tile the vector in PyTorch order") {
  const LstmShape shape{.input_size = 2, .hidden_size = 3, .num_layers = 2, .output_size = 2};
  LstmParameters<double> parameters(shape);
  for (Eigen::Index i = 0; i < parameters.values().size(); ++i) parameters.values()(i) = i;
  // Layer 0: W_ih 12x2, W_hh 12x3, b_ih 12, b_hh 12, each row-major, back to back.
  CHECK(parameters.w_ih(0)(1, 0) == 2.0);  // row-major: element (1, 0) is the third entry
  CHECK(parameters.w_hh(0)(0, 0) == 24.0);
  CHECK(parameters.w_hh(0)(11, 2) == 24.0 + 35.0);
  CHECK(parameters.b_ih(0)(0) == 60.0);
  CHECK(parameters.b_hh(0)(0) == 72.0);
  CHECK(parameters.w_ih(1)(0, 0) == 84.0);  // layer 1 starts right after layer 0
  CHECK(parameters.w_out()(1, 0) == shape.readout_offset() + 3.0);
  CHECK(parameters.b_out()(1) == shape.parameter_count() - 1.0);
}

TEST_CASE("lstm parameters: initialisation follows gps-spec 8.1") {
  const LstmShape shape{};
  LstmParameters<double> parameters(shape);
  l2o::RandomStream stream(7, "test-lstm-init");
  parameters.initialize(stream, LstmInit{});
  const double bound = 1.0 / std::sqrt(128.0);
  CHECK(parameters.w_ih(0).cwiseAbs().maxCoeff() <= bound);
  CHECK(parameters.w_hh(0).cwiseAbs().maxCoeff() <= bound);
  // U(-b, b) over 65 536 draws: the extreme is within 1e-3 b of the bound (P(miss) ~ e^-65).
  CHECK(parameters.w_hh(0).cwiseAbs().maxCoeff() > 0.999 * bound);
  const auto forget = static_cast<Eigen::Index>(LstmGate::forget);
  CHECK(parameters.b_ih(0).segment(forget * 128, 128).isConstant(1.0));
  CHECK(parameters.b_ih(0).head(forget * 128).isZero(0.0));
  CHECK(parameters.b_ih(0).tail(256).isZero(0.0));
  CHECK(parameters.b_hh(0).isZero(0.0));
  CHECK(parameters.w_out().isZero(0.0));  // the untrained policy outputs 0
  CHECK(parameters.b_out().isZero(0.0));
  // Same key, same weights; the float copy is the rounded double.
  LstmParameters<double> again(shape);
  l2o::RandomStream stream_again(7, "test-lstm-init");
  again.initialize(stream_again, LstmInit{});
  CHECK(again.values() == parameters.values());
  CHECK(parameters.cast<float>().values() == parameters.values().cast<float>());
}
