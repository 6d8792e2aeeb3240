// The relative output of the learned policy (gps/policy/relative_output.hpp, issue 19 items 2-3):
// a policy that outputs 0 is psi at its base rate (so the imitation starts from psi exactly), an
// output beyond +-L is clamped (the optimizer's own step bound, whatever it observes), the time
// input is as documented, and a relative model survives its file while a damaged one is refused.
#include <catch2/catch.hpp>
#include <cmath>

#include "gps/es/es_controller.hpp"
#include "gps/es/es_imitation.hpp"
#include "gps/files/gps_model_file.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "gps/rollout_test_task.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

constexpr int kHorizon = 30;

// psi off AdaGrad (momentum, decay < 1, a size rule) with a constant log rate `log_rate` in every
// group; group 0 keeps AdaGrad's direction and rate.
EsController test_psi(std::size_t groups, double log_rate) {
  EsController psi = adagrad_controller(0.05, 1e-10, es_knot_times(2, kHorizon), groups);
  for (std::size_t g = 0; g < groups; ++g)
    psi.groups[g] = {{log_rate, log_rate},
                     0.1 * static_cast<double>(g),
                     1.0 - 0.01 * static_cast<double>(g),
                     {0.2 * static_cast<double>(g), 100.0}};
  return psi;
}

// A relative model of fresh policies (zero read-out: output exactly 0) whose read-out bias is
// `bias`, on psi's directions.
GpsModel test_model(const Mlp& mlp, const EsController& psi, double bias, double bound) {
  GpsModel model;
  model.features = FeatureSet::adaptive;
  model.relative = relative_output_of(psi, kHorizon, bound);
  LstmPolicyParams params;
  params.hidden_size = 4;
  params.input_size = policy_input_dimension(model.features, true);
  PolicyConstants constants{
      {Eigen::VectorXd::Ones(params.input_size), Eigen::VectorXd::Zero(params.input_size)}, 1.0};
  for (std::size_t g = 0; g < mlp.groups().size(); ++g) {
    GpsPolicy policy(params, constants, 3, g);
    LstmParameters<double> weights = policy.weights();
    weights.b_out().setConstant(bias);
    policy.set_weights(weights.values());
    model.groups.push_back({mlp.groups()[g].role, std::move(policy)});
  }
  return model;
}

// Iterates of `optimizer` over kHorizon steps of the rollout task from seed 11.
std::vector<Eigen::VectorXd> trajectory(Optimizer& optimizer) {
  const MlpTask& task = test::rollout_task().task;
  Eigen::VectorXd x = task.mlp().initial_parameters(11);
  MinibatchSampler sampler = task.sampler(11);
  MlpMinibatchOracle oracle(task);
  optimizer.start(task.mlp().groups());
  std::vector<Eigen::VectorXd> iterates{x};
  for (int t = 0; t < kHorizon; ++t) {
    oracle.set_batch(sampler.batch(t));
    optimizer.step(x, oracle);
    iterates.push_back(x);
  }
  return iterates;
}

// Largest |a - b| / (|b| + 1e-3) over both trajectories.
double largest_difference(const std::vector<Eigen::VectorXd>& a,
                          const std::vector<Eigen::VectorXd>& b) {
  double worst = 0.0;
  for (std::size_t t = 0; t < a.size(); ++t)
    worst = std::max(worst, ((a[t] - b[t]).array().abs() / (b[t].array().abs() + 1e-3)).maxCoeff());
  return worst;
}

}  // namespace

TEST_CASE("relative output: a policy that outputs 0 is psi at its base rate", "[gps][relative]") {
  const Mlp& mlp = test::rollout_task().task.mlp();
  const EsController psi = test_psi(mlp.groups().size(), 0.0);
  PsdOptimizer pi(test_model(mlp, psi, 0.0, 2.0));
  EsOptimizer teacher(psi);
  const auto a = trajectory(pi);
  const auto b = trajectory(teacher);
  CHECK(a.back() != a.front());
  CHECK(largest_difference(a, b) <= 1e-12);
  CHECK(pi.name() == "psd");
}

TEST_CASE("relative output: outputs beyond +-L are clamped to the factor e^+-L",
          "[gps][relative]") {
  const Mlp& mlp = test::rollout_task().task.mlp();
  for (const double sign : {1.0, -1.0}) {
    INFO("sign " << sign);
    const double bound = 1.5;
    PsdOptimizer pi(test_model(mlp, test_psi(mlp.groups().size(), 0.0), 100.0 * sign, bound));
    EsOptimizer clamped(test_psi(mlp.groups().size(), sign * bound));
    const auto a = trajectory(pi);
    CHECK(largest_difference(a, trajectory(clamped)) <= 1e-12);
    // AdaGrad's direction (group 0: momentum 0, decay 1): no coordinate moves more than s e^L.
    const Eigen::Index n = mlp.groups()[0].size;
    for (std::size_t t = 1; t < a.size(); ++t)
      CHECK((a[t] - a[t - 1]).head(n).cwiseAbs().maxCoeff() <= 0.05 * std::exp(bound) * 1.0000001);
  }
}

TEST_CASE("relative output: the time input rises in log(1 + t) and holds beyond T",
          "[gps][relative]") {
  CHECK(relative_time_input(0, 400) == 0.0);
  CHECK(relative_time_input(400, 400) == 1.0);
  CHECK(relative_time_input(4000, 400) == 1.0);
  CHECK(relative_time_input(19, 399) == Approx(0.5).epsilon(1e-12));  // sqrt(400) = 20
  CHECK(policy_input_dimension(FeatureSet::adaptive, true) == 6);
  CHECK(policy_input_dimension(FeatureSet::paper, false) == 3);
}

TEST_CASE("relative output: a relative model survives its file, a damaged one is refused",
          "[gps][relative]") {
  const Mlp& mlp = test::rollout_task().task.mlp();
  const GpsModel model = test_model(mlp, test_psi(mlp.groups().size(), 0.0), 0.3, 2.0);
  std::vector<GpsPolicy> policies;
  for (const GpsModelGroup& g : model.groups) policies.push_back(g.policy);
  const std::string path = (test::scratch_dir("relative-model") / "model.h5").string();
  {
    AtomicHdf5File file(path);
    write_gps_model(file.root().create_group("model"), policies, model.features, mlp,
                    &*model.relative);
    // A relative group with one group's directions for a four-group model.
    const Hdf5Group bad = file.root().create_group("bad");
    write_gps_model(bad, policies, model.features, mlp);
    const Hdf5Group relative = bad.create_group("relative");
    relative.set_attribute("base_rate", 0.1);
    relative.set_attribute("max_log_factor", 2.0);
    relative.set_attribute("horizon", std::int64_t{kHorizon});
    for (const char* name : {"momentum", "decay", "second_moment_weight", "epsilon",
                             "size_exponent", "reference_size"})
      relative.write(name, std::vector<double>{0.5});
    file.commit();
  }
  const Hdf5Group root = open_hdf5_for_reading(path);
  const GpsModel back = read_gps_model(root.open_group("model"));
  REQUIRE(back.relative);
  CHECK(back.relative->base_rate == model.relative->base_rate);
  CHECK(back.relative->max_log_factor == 2.0);
  CHECK(back.relative->horizon == kHorizon);
  for (std::size_t g = 0; g < mlp.groups().size(); ++g) {
    CHECK(back.relative->groups[g].direction.momentum ==
          model.relative->groups[g].direction.momentum);
    CHECK(back.relative->groups[g].direction.decay == model.relative->groups[g].direction.decay);
    CHECK(back.relative->groups[g].size.exponent == model.relative->groups[g].size.exponent);
    CHECK(back.relative->groups[g].size.reference_size ==
          model.relative->groups[g].size.reference_size);
  }
  PsdOptimizer original(model), read(back);
  CHECK(largest_difference(trajectory(read), trajectory(original)) == 0.0);
  CHECK_THROWS_AS(read_gps_model(root.open_group("bad")), InputError);
}

}  // namespace l2o
