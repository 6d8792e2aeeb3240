// The ES path's controller family and search (gps/es/, issue 19 item 1; the exact members are
// tested in tests/eval/test_es_members.cpp): the learning-rate schedule interpolates as documented,
// a non-member follows an independent scalar implementation, and the ES update is baseline-free,
// scale-free, descends on a linear cost and respects its trust region.
#include <catch2/catch.hpp>
#include <cmath>

#include "gps/es/es_controller.hpp"
#include "gps/es/es_meta_loss.hpp"
#include "gps/es/es_model_file.hpp"
#include "gps/es/es_search.hpp"
#include "gps/rollout_test_task.hpp"
#include "optim/precomputed_gradient_oracle.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace l2o {
TEST_CASE("es: the schedule is log-linear between log-spaced knots", "[gps][es]") {
  const std::vector<double> knots = es_knot_times(3, 399);  // 0, 19, 399
  REQUIRE(knots[1] == Approx(19.0).epsilon(1e-12));
  REQUIRE(knots[2] == Approx(399.0).epsilon(1e-12));
  EsController psi = adagrad_controller(0.1, 1e-10, knots, 1);
  psi.groups[0].log_rate = {1.0, -1.0, 2.0};
  CHECK(psi.log_rate_at(0, 0.0) == 1.0);
  CHECK(psi.log_rate_at(0, 19.0) == Approx(-1.0).epsilon(1e-12));
  CHECK(psi.log_rate_at(0, 1000.0) == 2.0);  // held beyond the last knot
  // 1 + t = sqrt(20) is halfway between knots 0 and 1 in log(1 + t).
  CHECK(psi.log_rate_at(0, std::sqrt(20.0) - 1.0) == Approx(0.0).margin(1e-12));
  // 1 + t = sqrt(20 * 400) halfway between knots 1 and 2.
  CHECK(psi.log_rate_at(0, std::sqrt(8000.0) - 1.0) == Approx(0.5).epsilon(1e-12));
}

TEST_CASE("es: a non-member follows a scalar implementation of the recurrence", "[gps][es]") {
  const std::vector<double> knots = es_knot_times(2, 9);  // 0, 9
  EsController controller = rmsprop_controller(0.05, 0.9, 1e-8, knots, 2);
  controller.groups[0] = {{0.3, -0.4}, 0.6, 0.95, {}};
  controller.groups[1] = {{-0.2, 0.1}, 5.0, 0.1, {0.5, 4.0}};  // clamped to 0.99 and 0.5;
                                                               // size 1: (1/4)^-0.5 = 2
  EsOptimizer psi(controller);
  const std::vector<ParameterGroup> layout = {{"layer1.weights", 1, false, 0, 2},
                                              {"layer1.biases", 1, true, 2, 1}};
  psi.start(layout);
  Eigen::VectorXd gradient(3);
  PrecomputedGradientOracle oracle(gradient);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(3);
  double m[3] = {0, 0, 0}, v[3] = {0, 0, 0}, y[3] = {0, 0, 0};
  for (int t = 0; t < 12; ++t) {
    gradient << std::sin(t + 1.0), 0.5 * std::cos(3.0 * t), 1.0 + t;
    psi.step(x, oracle);
    for (int i = 0; i < 3; ++i) {
      const int g = i < 2 ? 0 : 1;
      const double beta = g == 0 ? 0.6 : 0.99;
      const double rho = g == 0 ? 0.95 : 0.5;
      const auto& l = controller.groups[static_cast<std::size_t>(g)].log_rate;
      const double f = std::min(1.0, std::log1p(t) / std::log(10.0));
      const double rate = 0.05 * std::exp((1 - f) * l[0] + f * l[1]) * (g == 0 ? 1.0 : 2.0);
      m[i] = beta * m[i] + (1 - beta) * gradient(i);
      v[i] = rho * v[i] + 0.1 * gradient(i) * gradient(i);
      y[i] -= rate * m[i] / (std::sqrt(v[i]) + 1e-8);
    }
  }
  for (int i = 0; i < 3; ++i) CHECK(x(i) == Approx(y[i]).epsilon(1e-12));
}

TEST_CASE(
    "es: the update descends a linear cost, is scale-free, weighs relative differences and "
    "is bounded",
    "[gps][es]") {
  EsSearchParams params;
  params.pairs = 64;
  params.sigma = 0.1;
  params.learning_rate = 0.1;
  params.trust_radius = 10.0;
  const Eigen::Index dimension = 6;
  Eigen::VectorXd c(dimension);
  c << 1, -2, 0.5, 0, 3, -1;
  const Eigen::VectorXd theta = Eigen::VectorXd::Constant(dimension, 0.2);
  Eigen::MatrixXd eps(dimension, params.pairs);
  std::vector<double> plus, minus, plus_scaled, minus_scaled;
  for (int j = 0; j < params.pairs; ++j) {
    eps.col(j) = es_perturbation(3, 0, j, dimension);
    plus.push_back(5.0 + c.dot(theta + params.sigma * eps.col(j)));
    minus.push_back(5.0 + c.dot(theta - params.sigma * eps.col(j)));
    plus_scaled.push_back(7.0 * plus.back());  // another unit of the meta-loss
    minus_scaled.push_back(7.0 * minus.back());
  }
  const EsUpdate update = es_update(theta, eps, plus, minus, params);
  const Eigen::VectorXd step = update.theta - theta;
  CHECK(step.dot(-c) / (step.norm() * c.norm()) > 0.9);  // 64 pairs: close to -c
  CHECK(update.mean_cost == Approx(5.0 + c.dot(theta)).epsilon(1e-12));
  const EsUpdate scaled = es_update(theta, eps, plus_scaled, minus_scaled, params);
  CHECK((scaled.theta - update.theta).norm() <= 1e-12);
  params.trust_radius = 0.01;
  const EsUpdate bounded = es_update(theta, eps, plus, minus, params);
  CHECK(bounded.clipped);
  CHECK(bounded.step_norm == Approx(0.01).epsilon(1e-12));
  CHECK(((bounded.theta - theta).normalized() - step.normalized()).norm() <= 1e-12);
  const EsUpdate flat = es_update(theta, eps, plus, plus, params);
  CHECK(flat.theta == theta);
  // Relative differences: a pair at twice the loss level with twice the difference weighs the
  // same as the original pair.
  std::vector<double> plus_doubled = plus, minus_doubled = minus;
  plus_doubled[0] *= 2.0;
  minus_doubled[0] *= 2.0;
  CHECK((es_update(theta, eps, plus_doubled, minus_doubled, params).theta - bounded.theta).norm() <=
        1e-12);
  minus_doubled[1] = -1.0;
  CHECK_THROWS_WITH(es_update(theta, eps, plus_doubled, minus_doubled, params),
                    Catch::Contains("must be finite and > 0"));
}

TEST_CASE("es: theta maps to psi and a diverging member scores the cap", "[gps][es]") {
  const test::RolloutTask& t = test::rollout_task();
  const std::size_t groups = t.task.mlp().groups().size();
  const EsController start = adagrad_controller(0.1, 1e-10, es_knot_times(3, 40), groups);
  EsSearchParams params;
  REQUIRE(es_search_dimension(start) == static_cast<Eigen::Index>(groups * 6));
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(es_search_dimension(start));
  theta(1) = 0.5;    // group 0, knot 1
  theta(3) = 0.2;    // group 0, momentum
  theta(5) = 0.3;    // group 0, size exponent
  theta(10) = -1.0;  // group 1, decay
  const EsController psi = es_member(start, theta, params);
  CHECK(psi.groups[0].log_rate[1] == 0.5);
  CHECK(psi.groups[0].momentum == 0.2 * params.momentum_scale);
  CHECK(psi.groups[0].size.exponent == 0.3);
  CHECK(psi.groups[1].decay == 1.0 - params.decay_scale);
  CHECK(psi.groups[1].size.exponent == 0.0);
  // exp(30) x the tuned rate blows up at once: all terms are the cap 10 f(x^(0)).
  EsController wild = start;
  for (auto& g : wild.groups) g.log_rate.assign(3, 30.0);
  EsOptimizer diverging(wild);
  const std::uint64_t seed = es_rollout_seed(1, 0, 0);
  const double cap = 10.0 * t.cost_set.true_objective(t.task.mlp().initial_parameters(seed));
  CHECK(es_meta_loss(t.task, t.cost_set, diverging, seed, 40, 10) == Approx(cap).epsilon(1e-12));
  EsOptimizer tuned(start);
  CHECK(es_meta_loss(t.task, t.cost_set, tuned, seed, 40, 10) < cap / 10.0);
}

TEST_CASE("es: the controller survives its model file, a damaged one is refused", "[gps][es]") {
  EsController psi = rmsprop_controller(0.003, 0.99, 1e-8, es_knot_times(3, 400), 2);
  psi.groups[1] = {{0.1, -0.2, 0.3}, 0.4, 0.97, {0.25, 2842.0}};
  const std::string path = (test::scratch_dir("es-model") / "model.h5").string();
  {
    AtomicHdf5File file(path);
    write_es_controller(file.root().create_group("model"), psi);
    file.root().create_group("bad").write("knot_times", std::vector<double>{0.0, 1.0});
    file.commit();
  }
  const Hdf5Group root = open_hdf5_for_reading(path);
  const EsController back = read_es_controller(root.open_group("model"));
  CHECK(back.base_rate == psi.base_rate);
  CHECK(back.second_moment_weight == psi.second_moment_weight);
  CHECK(back.knot_times == psi.knot_times);
  CHECK(back.groups[1].log_rate == psi.groups[1].log_rate);
  CHECK(back.groups[1].decay == psi.groups[1].decay);
  CHECK(back.groups[1].size.exponent == 0.25);
  CHECK(back.groups[1].size.reference_size == 2842.0);
  CHECK_THROWS(read_es_controller(root.open_group("bad")));
}

}  // namespace l2o
