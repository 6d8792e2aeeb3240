// The MLP objective against truth: central finite differences, the scalar reference twin,
// closed forms for the parameter layout and the softmax.
#include <catch2/catch.hpp>
#include <cmath>

#include "finite_difference_check.hpp"
#include "mlp_reference.hpp"
#include "objective/mlp.hpp"
#include "util/random_stream.hpp"

namespace {

struct Batch {
  Eigen::MatrixXd inputs;
  std::vector<int> labels;
};

Batch random_batch(int rows, int input_dim, int classes, std::uint64_t seed) {
  l2o::RandomStream stream(seed, "test-batch");
  Batch batch{Eigen::MatrixXd(rows, input_dim), std::vector<int>(rows)};
  for (Eigen::Index i = 0; i < batch.inputs.size(); ++i) batch.inputs.data()[i] = stream.normal();
  for (auto& label : batch.labels) label = static_cast<int>(stream.uniform_index(classes));
  return batch;
}

// Mean loss plus L2 on the batch; the quantity whose gradient is checked.
double objective(const l2o::Mlp& mlp, const Eigen::VectorXd& x, const Batch& batch,
                 Eigen::VectorXd* gradient) {
  l2o::MlpWorkspace workspace;
  if (gradient != nullptr) gradient->setZero(mlp.dimension());
  double loss = mlp.sum_loss(x, batch.inputs, batch.labels.data(),
                             gradient != nullptr ? gradient->data() : nullptr, workspace);
  const double scale = 1.0 / static_cast<double>(batch.labels.size());
  if (gradient != nullptr) *gradient *= scale;
  return loss * scale + mlp.add_l2(x, gradient != nullptr ? gradient->data() : nullptr);
}

}  // namespace

TEST_CASE("parameter groups tile the vector in layer order with PyTorch shapes", "[objective]") {
  const l2o::Mlp mlp(48, {48}, 10);
  CHECK(mlp.dimension() == 2842);
  const auto& g = mlp.groups();
  REQUIRE(g.size() == 4);
  CHECK(g[0].role == "layer1.weights");
  CHECK((g[0].offset == 0 && g[0].size == 2304 && g[0].rows == 48 && g[0].cols == 48));
  CHECK((g[1].role == "layer1.biases" && g[1].offset == 2304 && g[1].size == 48));
  CHECK((g[2].role == "layer2.weights" && g[2].offset == 2352 && g[2].size == 480));
  CHECK((g[3].role == "layer2.biases" && g[3].offset == 2832 && g[3].size == 10));
  CHECK(l2o::Mlp(100, {200}, 10).dimension() == 22210);
  CHECK(l2o::Mlp(100, {200, 200}, 100).architecture() == "100-200-200-100");
}

TEST_CASE("initial parameters are U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and seeded", "[objective]") {
  const l2o::Mlp mlp(100, {200}, 10);
  const Eigen::VectorXd x = mlp.initial_parameters(3);
  CHECK(x == mlp.initial_parameters(3));
  CHECK(x != mlp.initial_parameters(4));
  for (const auto& group : mlp.groups()) {
    const double bound = 1.0 / std::sqrt(group.layer == 1 ? 100.0 : 200.0);
    const auto values = x.segment(group.offset, group.size);
    CHECK(values.cwiseAbs().maxCoeff() <= bound);
    if (group.size >= 1000) {  // uniform variance bound^2/3, standard error of the mean
      const double n = static_cast<double>(group.size);
      CHECK(std::abs(values.mean()) < 5.0 * bound / std::sqrt(3.0 * n));
      CHECK(std::abs(values.squaredNorm() / n / (bound * bound / 3.0) - 1.0) <
            5.0 * std::sqrt(0.8 / n));
    }
  }
}

TEST_CASE("gradient matches central finite differences (double, rel. error < 1e-6)",
          "[objective]") {
  struct Case {
    int input;
    int hidden;
    double l2;
    l2o::Activation activation;
  };
  using l2o::Activation;
  const auto c =
      GENERATE(Case{48, 48, 0.0, Activation::relu}, Case{48, 48, 1e-3, Activation::relu},
               Case{100, 200, 0.0, Activation::relu}, Case{100, 200, 1e-3, Activation::relu},
               Case{48, 48, 0.0, Activation::tanh}, Case{48, 48, 1e-3, Activation::sigmoid});
  const l2o::Mlp mlp(c.input, {c.hidden}, 10, c.l2, c.activation);
  const Batch batch = random_batch(16, c.input, 10, 11);
  const Eigen::VectorXd x = mlp.initial_parameters(5);
  Eigen::VectorXd gradient;
  objective(mlp, x, batch, &gradient);
  // Every coordinate for the small net; a seeded sample of 3000 for the large one.
  std::vector<Eigen::Index> coords;
  l2o::RandomStream pick(1, "fd-coordinates");
  for (Eigen::Index i = 0; i < mlp.dimension(); ++i)
    if (mlp.dimension() < 5000 || pick.uniform() < 3000.0 / static_cast<double>(mlp.dimension()))
      coords.push_back(i);
  Eigen::VectorXd fd(coords.size()), analytic(coords.size());
  const double h = 1e-5;
  for (std::size_t k = 0; k < coords.size(); ++k) {
    Eigen::VectorXd xp = x, xm = x;
    xp[coords[k]] += h;
    xm[coords[k]] -= h;
    fd[k] = (objective(mlp, xp, batch, nullptr) - objective(mlp, xm, batch, nullptr)) / (2 * h);
    analytic[k] = gradient[coords[k]];
  }
  INFO("net " << mlp.architecture() << " l2 " << c.l2 << " " << l2o::activation_name(c.activation));
  l2o::test::check_against_finite_differences(analytic, fd);
}

TEST_CASE("fast loss and gradient equal the scalar reference twin", "[objective]") {
  const auto activation =
      GENERATE(l2o::Activation::relu, l2o::Activation::tanh, l2o::Activation::sigmoid);
  INFO(l2o::activation_name(activation));
  const l2o::Mlp mlp(20, {30, 15}, 7, 0.0, activation);
  const Batch batch = random_batch(9, 20, 7, 2);
  const Eigen::VectorXd x = mlp.initial_parameters(8);
  Eigen::VectorXd fast = Eigen::VectorXd::Zero(mlp.dimension());
  Eigen::VectorXd slow = Eigen::VectorXd::Zero(mlp.dimension());
  l2o::MlpWorkspace workspace;
  const double fast_loss =
      mlp.sum_loss(x, batch.inputs, batch.labels.data(), fast.data(), workspace);
  const double slow_loss = l2o::test::reference_sum_loss(mlp, x, batch.inputs, batch.labels, slow);
  CHECK(fast_loss == Approx(slow_loss).epsilon(1e-13));
  CHECK((fast - slow).cwiseAbs().maxCoeff() < 1e-13 * (1.0 + slow.cwiseAbs().maxCoeff()));
}

TEST_CASE("softmax cross-entropy is stable for logits of 1e4", "[objective]") {
  // A net whose output is its bias: zero weights, biases (1e4, -1e4, 1e4 - 3).
  const l2o::Mlp mlp(2, {2}, 3);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(mlp.dimension());
  const auto& out_bias = mlp.groups()[3];
  x.segment(out_bias.offset, 3) << 1e4, -1e4, 1e4 - 3.0;
  Batch batch{Eigen::MatrixXd::Ones(2, 2), {0, 1}};
  Eigen::VectorXd gradient;
  const double loss = objective(mlp, x, batch, &gradient);
  // Closed form: label 0 loses log(1 + e^-3); label 1 loses 2e4 + log(1 + e^-3).
  const double expected = (2.0 * std::log1p(std::exp(-3.0)) + 2e4) / 2.0;
  CHECK(std::isfinite(loss));
  CHECK(loss == Approx(expected).epsilon(1e-14));
  CHECK(gradient.allFinite());
  // d loss / d bias = mean(p - onehot): p = (1, 0, e^-3)/(1 + e^-3) for both rows.
  const double p0 = 1.0 / (1.0 + std::exp(-3.0)), p2 = std::exp(-3.0) / (1.0 + std::exp(-3.0));
  CHECK(gradient[out_bias.offset + 0] == Approx(p0 - 0.5).epsilon(1e-12));
  CHECK(gradient[out_bias.offset + 1] == Approx(-0.5).epsilon(1e-12));
  CHECK(gradient[out_bias.offset + 2] == Approx(p2).epsilon(1e-12));
}

TEST_CASE("activations are parsed by name and sigmoid saturates without NaN", "[objective]") {
  for (const auto activation :
       {l2o::Activation::relu, l2o::Activation::tanh, l2o::Activation::sigmoid})
    CHECK(l2o::parse_activation(l2o::activation_name(activation)) == activation);
  CHECK_THROWS_WITH(l2o::parse_activation("gelu"),
                    "task.activation must be one of \"relu\", \"tanh\", \"sigmoid\", got \"gelu\"");
  // First-layer weights of +-1e3 on inputs of 1 drive the hidden pre-activations to about
  // +-2000: sigmoid's exp(-z) overflows to inf for the negative ones, which must give 0, not NaN.
  const l2o::Mlp mlp(2, {4}, 3, 0.0, l2o::Activation::sigmoid);
  Eigen::VectorXd x = mlp.initial_parameters(1);
  x.segment(mlp.groups()[0].offset, mlp.groups()[0].size) << 1e3, 1e3, -1e3, -1e3, 1e3, 1e3, -1e3,
      -1e3;
  Batch batch{Eigen::MatrixXd::Ones(2, 2), {0, 2}};
  Eigen::VectorXd gradient;
  CHECK(std::isfinite(objective(mlp, x, batch, &gradient)));
  CHECK(gradient.allFinite());
}
