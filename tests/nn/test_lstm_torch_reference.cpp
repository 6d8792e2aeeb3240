// The engine against PyTorch 1.13 (torch.nn.LSTMCell stack + Linear, float64): outputs, final
// states, parameter and input gradients of tests/reference/lstm_reference.txt, written by
// tests/reference/make_lstm_reference.py with the same parameter layout.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "nn/lstm_engine.hpp"

using Eigen::MatrixXd;
using l2o::LstmShape;

namespace {

// Parses "tensor <name> <rows> <cols>" blocks of row-major values; '#' lines are comments.
std::map<std::string, MatrixXd> read_fixture() {
  // The checkout: from ctest's environment, else the build's definition, else the working dir.
  const char* from_environment = std::getenv("L2O_SOURCE_DIR");
#ifdef L2O_SOURCE_DIR
  const std::string root = from_environment != nullptr ? from_environment : L2O_SOURCE_DIR;
#else
  const std::string root = from_environment != nullptr ? from_environment : ".";
#endif
  const std::string path = root + "/tests/reference/lstm_reference.txt";
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::map<std::string, MatrixXd> tensors;
  std::string word;
  while (file >> word) {
    if (word.front() == '#') {
      std::getline(file, word);
      continue;
    }
    std::string name;
    Eigen::Index rows = 0, cols = 0;
    file >> name >> rows >> cols;
    MatrixXd values(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (Eigen::Index c = 0; c < cols; ++c) file >> values(r, c);
    }
    if (word != "tensor" || !file) throw std::runtime_error("malformed fixture " + path);
    tensors[name] = values;
  }
  return tensors;
}

double relative_difference(const MatrixXd& got, const MatrixXd& expected) {
  REQUIRE(got.rows() == expected.rows());
  REQUIRE(got.cols() == expected.cols());
  return (got - expected).cwiseAbs().maxCoeff() / std::max(1.0, expected.cwiseAbs().maxCoeff());
}

void check_case(const std::string& name) {
  const auto fixture = read_fixture();
  const auto get = [&](const std::string& key) { return fixture.at(name + "." + key); };
  const MatrixXd shape_row = get("shape");
  const LstmShape shape{.input_size = static_cast<Eigen::Index>(shape_row(1)),
                        .hidden_size = static_cast<Eigen::Index>(shape_row(2)),
                        .num_layers = static_cast<Eigen::Index>(shape_row(0)),
                        .output_size = static_cast<Eigen::Index>(shape_row(3))};
  l2o::LstmParameters<double> parameters(shape);
  parameters.values() = get("params").transpose();
  const MatrixXd inputs = get("inputs");
  const Eigen::Index batch = inputs.rows(), steps = inputs.cols() / shape.input_size;
  l2o::LstmState<double> state(shape, batch);
  for (Eigen::Index layer = 0; layer < shape.num_layers; ++layer) {
    state.h(layer) = get("h0_" + std::to_string(layer));
    state.c(layer) = get("c0_" + std::to_string(layer));
  }
  // One step at a time (test-time path) and recorded (training path) give the same numbers.
  l2o::LstmEngine<double> engine(shape);
  l2o::LstmState<double> stepped = state;
  MatrixXd outputs(batch, steps * shape.output_size), single(batch, shape.output_size);
  for (Eigen::Index t = 0; t < steps; ++t) {
    engine.step(parameters, inputs.middleCols(t * shape.input_size, shape.input_size), stepped,
                single);
    CHECK(relative_difference(
              single, get("outputs").middleCols(t * shape.output_size, shape.output_size)) < 1e-12);
  }
  l2o::LstmTape<double> tape;
  engine.forward_sequence(parameters, inputs, state, outputs, tape);
  CHECK(relative_difference(outputs, get("outputs")) < 1e-12);
  for (Eigen::Index layer = 0; layer < shape.num_layers; ++layer) {
    CHECK(relative_difference(state.h(layer), get("h_" + std::to_string(layer))) < 1e-12);
    CHECK(relative_difference(state.c(layer), get("c_" + std::to_string(layer))) < 1e-12);
    CHECK(stepped.c(layer) == state.c(layer));
  }
  Eigen::VectorXd gradient(shape.parameter_count());
  MatrixXd d_inputs(batch, inputs.cols());
  engine.backward(parameters, tape, get("d_outputs"), gradient, d_inputs);
  CHECK(relative_difference(gradient.transpose(), get("gradient")) < 1e-12);
  CHECK(relative_difference(d_inputs, get("d_inputs")) < 1e-12);
}

}  // namespace

TEST_CASE("lstm torch reference: one LSTMCell layer, 3 steps") {
  check_case("one_layer");
}

TEST_CASE("lstm torch reference: two stacked LSTMCells, 2 outputs, 3 steps") {
  check_case("two_layers");
}
