// gps-spec.md §16.2 truncated meta-gradient; §17 P1 (finite differences on a linear optimisee,
// where dropping second derivatives is exact).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "l2l/l2l_truncation.hpp"
#include "l2l_test_tasks.hpp"

namespace l2o {
namespace {

// Everything one truncation starts from: x^(tau), memories at tau, g_tau.
struct Start {
  Eigen::VectorXd x, gradient;
  LstmState<double> state;
};

Start episode_start(const LstmShape& shape, L2lEpisode& episode) {
  Start start{Eigen::VectorXd(episode.dimension()), Eigen::VectorXd(episode.dimension()),
              LstmState<double>(shape, episode.dimension())};
  episode.initial_point(start.x);
  episode.oracle(0).loss_gradient(start.x, start.gradient);
  return start;
}

// Meta-loss and meta-gradient of the truncation from a copy of `start`.
double run_from(L2lTruncation& truncation, const LstmParameters<double>& phi, L2lEpisode& episode,
                Eigen::Index first, Eigen::Index steps, Start start, Eigen::VectorXd& gradient) {
  gradient.resize(phi.shape().parameter_count());
  return truncation.run(phi, episode, first, steps, start.x, start.state, start.gradient, gradient);
}

}  // namespace

TEST_CASE("P1: truncated meta-gradient equals central differences on a linear optimisee", "[l2l]") {
  const LstmShape shape = l2l_shape();
  const Eigen::Index d = 6, steps = 20;
  auto episode = test::linear_episode(d, 2 * steps, 11);
  const LstmParameters<double> phi = test::random_l2l_parameters(shape, 0.3, 5);
  L2lTruncation truncation(shape);

  // Truncation 1 from zero memories, then the checked truncation 2 from its carried state.
  Start start = episode_start(shape, *episode);
  Eigen::VectorXd unused(shape.parameter_count());
  truncation.run(phi, *episode, 0, steps, start.x, start.state, start.gradient, unused);
  REQUIRE(start.state.h(1).cwiseAbs().maxCoeff() > 0.0);

  Eigen::VectorXd meta_gradient;
  run_from(truncation, phi, *episode, steps, steps, start, meta_gradient);
  REQUIRE(meta_gradient.allFinite());

  // A spread of coordinates over every block, plus the whole read-out.
  std::vector<Eigen::Index> checked;
  for (Eigen::Index i = 0; i < shape.readout_offset(); i += 37) checked.push_back(i);
  for (Eigen::Index i = shape.readout_offset(); i < shape.parameter_count(); ++i) {
    checked.push_back(i);
  }
  const double scale = meta_gradient.cwiseAbs().maxCoeff();
  const double h = 1e-5;
  Eigen::VectorXd scratch;
  for (const Eigen::Index i : checked) {
    LstmParameters<double> plus = phi, minus = phi;
    plus.values()[i] += h;
    minus.values()[i] -= h;
    const double fd = (run_from(truncation, plus, *episode, steps, steps, start, scratch) -
                       run_from(truncation, minus, *episode, steps, steps, start, scratch)) /
                      (2.0 * h);
    INFO("parameter " << i << " analytic " << meta_gradient[i] << " fd " << fd);
    CHECK(std::abs(fd - meta_gradient[i]) <=
          1e-6 * std::max(std::abs(meta_gradient[i]), 1e-2 * scale));
  }
}

TEST_CASE("hand-checked truncation on a quadratic with a constant-output LSTM", "[l2l]") {
  // One layer of one cell, all weights 0 except b_out: h stays 0, Delta x = 0.1 b_out for every
  // coordinate, so x^(t) = x0 + 0.1 b_out t and L = sum_t 0.5 |x^(t) - c|^2 with
  // dL/db_out = sum_t 0.1 t sum_j (x^(t) - c)_j, the only non-zero component.
  const LstmShape shape{.input_size = 2, .hidden_size = 1, .num_layers = 1, .output_size = 1};
  const Eigen::Index d = 3, steps = 5;
  const double b_out = 0.7;
  LstmParameters<double> phi(shape);
  phi.b_out()[0] = b_out;
  Eigen::VectorXd c(d), x0(d);
  c << 1.0, -2.0, 0.5;
  x0 << 0.3, 0.1, -0.4;
  std::vector<std::unique_ptr<MinibatchOracle>> oracles;
  oracles.push_back(std::make_unique<test::QuadraticOracle>(Eigen::MatrixXd::Identity(d, d), c));
  test::ListEpisode episode(x0, std::move(oracles));

  double expected_loss = 0.0, expected_gradient = 0.0;
  for (int t = 1; t <= steps; ++t) {
    const Eigen::VectorXd residual = x0.array() + 0.1 * b_out * t - c.array();
    expected_loss += 0.5 * residual.squaredNorm();
    expected_gradient += 0.1 * t * residual.sum();
  }

  L2lTruncation truncation(shape);
  const Start start = episode_start(shape, episode);
  Eigen::VectorXd gradient, again;
  const double loss = run_from(truncation, phi, episode, 0, steps, start, gradient);
  CHECK(loss == Approx(expected_loss).epsilon(1e-14));
  const Eigen::Index b_out_index = shape.parameter_count() - 1;
  CHECK(gradient[b_out_index] == Approx(expected_gradient).epsilon(1e-14));
  CHECK(gradient.head(b_out_index).cwiseAbs().maxCoeff() == 0.0);

  // A random tiny LSTM on the same quadratic: finite and bitwise deterministic.
  const LstmParameters<double> random = test::random_l2l_parameters(shape, 0.5, 3);
  const double loss1 = run_from(truncation, random, episode, 0, steps, start, gradient);
  L2lTruncation other(shape);
  const double loss2 = run_from(other, random, episode, 0, steps, start, again);
  CHECK(gradient.allFinite());
  CHECK(gradient.cwiseAbs().maxCoeff() > 0.0);
  CHECK(loss1 == loss2);
  CHECK(gradient == again);
}

TEST_CASE("chained truncations carry x, memories and gradient", "[l2l]") {
  const LstmShape shape = l2l_shape();
  const Eigen::Index d = 4, steps = 10;
  auto episode = test::quadratic_episode(d, 21, 0);
  const LstmParameters<double> phi = test::random_l2l_parameters(shape, 0.3, 8);
  L2lTruncation truncation(shape);

  Start carried = episode_start(shape, *episode);
  Eigen::VectorXd first(shape.parameter_count()), second(shape.parameter_count());
  truncation.run(phi, *episode, 0, steps, carried.x, carried.state, carried.gradient, first);
  const Start after_first = carried;
  truncation.run(phi, *episode, steps, steps, carried.x, carried.state, carried.gradient, second);

  // The second meta-gradient is a function of the carried start alone...
  Eigen::VectorXd replay;
  run_from(truncation, phi, *episode, steps, steps, after_first, replay);
  CHECK(replay == second);
  // ...and of the carried memories in particular: zeroing them changes it.
  Start zeroed = after_first;
  zeroed.state.reset();
  Eigen::VectorXd from_zero;
  run_from(truncation, phi, *episode, steps, steps, zeroed, from_zero);
  CHECK((from_zero - second).cwiseAbs().maxCoeff() > 1e-6 * second.cwiseAbs().maxCoeff());
  // And it is not the first truncation's gradient again.
  CHECK((first - second).cwiseAbs().maxCoeff() > 1e-6 * second.cwiseAbs().maxCoeff());
}

}  // namespace l2o
