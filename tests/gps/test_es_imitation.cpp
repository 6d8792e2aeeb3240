// Imitation of psi by the LSTM policy (gps/es/es_imitation.hpp, issue 19 item 2): the targets are
// psi's log rates, the DAgger mixture is as configured, a recorded rollout of pi-at-psi equals
// psi's (the recording does not perturb the run; its time column is tau_t), and training on the
// records moves pi's teacher-forced outputs onto psi's schedule.
#include <catch2/catch.hpp>
#include <cmath>

#include "gps/es/es_imitation.hpp"
#include "gps/features/observation_normalisation.hpp"
#include "gps/policy/policy_training.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "gps/rollout_test_task.hpp"
#include "test_support.hpp"

namespace l2o {
namespace {

constexpr int kHorizon = 24;

EsController scheduled_psi(std::size_t groups) {
  EsController psi = adagrad_controller(0.05, 1e-10, es_knot_times(3, kHorizon), groups);
  for (std::size_t g = 0; g < groups; ++g)
    psi.groups[g] = {{0.4, -0.3 * static_cast<double>(g), 0.2}, 0.0, 1.0, {}};
  return psi;
}

}  // namespace

TEST_CASE("imitation: targets, the DAgger mixture and bad parameters", "[gps][imitation]") {
  const EsController psi = scheduled_psi(2);
  const Eigen::MatrixXd y = imitation_targets(psi, 1, 3, kHorizon);
  REQUIRE(y.rows() == 3);
  REQUIRE(y.cols() == kHorizon);
  for (int t = 0; t < kHorizon; ++t) {
    CHECK(y(0, t) == psi.log_rate_at(1, t));
    CHECK(y(2, t) == y(0, t));
  }
  ImitationParams params;
  params.rollouts = 8;
  params.policy_fraction = 0.25;
  CHECK(params.policy_driven_rollouts(0) == 0);  // pi does not exist yet
  CHECK(params.policy_driven_rollouts(3) == 2);
  params.policy_fraction = 1.5;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("imitation_policy_fraction"));
}

TEST_CASE("imitation: a recorded rollout of pi at psi's rate is psi's, with tau_t appended",
          "[gps][imitation]") {
  const MlpTask& task = test::rollout_task().task;
  const Mlp& mlp = task.mlp();
  EsController psi = scheduled_psi(mlp.groups().size());
  for (auto& g : psi.groups) g.log_rate.assign(3, 0.0);  // pi's zero output is psi exactly
  const RelativeOutput relative = relative_output_of(psi, kHorizon, 2.0);
  GpsModel model;
  model.features = FeatureSet::adaptive;
  model.relative = relative;
  LstmPolicyParams params;
  params.hidden_size = 4;
  params.input_size = policy_input_dimension(model.features, true);
  const PolicyConstants constants{
      {Eigen::VectorXd::Ones(params.input_size), Eigen::VectorXd::Zero(params.input_size)}, 1.0};
  for (std::size_t g = 0; g < mlp.groups().size(); ++g)
    model.groups.push_back({mlp.groups()[g].role, GpsPolicy(params, constants, 1, g)});
  PsdOptimizer pi(model);
  EsOptimizer teacher(psi);
  const auto by_pi =
      record_imitation_rollout(task, pi, model.features, relative, 9, 2, 1, kHorizon, 6);
  const auto by_psi =
      record_imitation_rollout(task, teacher, model.features, relative, 9, 2, 1, kHorizon, 6);
  REQUIRE(by_pi.size() == mlp.groups().size());
  for (std::size_t g = 0; g < by_pi.size(); ++g) {
    REQUIRE(by_pi[g].rows() == std::min<Eigen::Index>(6, mlp.groups()[g].size));
    REQUIRE(by_pi[g].cols() == 6 * kHorizon);
    CHECK(((by_pi[g] - by_psi[g]).array().abs() / (by_psi[g].array().abs() + 1e-6)).maxCoeff() <=
          1e-9);
    for (int t = 0; t < kHorizon; ++t)
      CHECK(by_psi[g](0, 6 * t + 5) == relative_time_input(t, kHorizon));
  }
  // Another round draws other coordinates and another rollout.
  const auto other =
      record_imitation_rollout(task, teacher, model.features, relative, 9, 3, 1, kHorizon, 6);
  CHECK(other[0] != by_psi[0]);
}

TEST_CASE("imitation: training on recorded rollouts moves pi onto psi's schedule",
          "[gps][imitation]") {
  const MlpTask& task = test::rollout_task().task;
  const EsController psi = scheduled_psi(task.mlp().groups().size());
  const RelativeOutput relative = relative_output_of(psi, kHorizon, 2.0);
  std::vector<std::vector<Eigen::MatrixXd>> rollouts;
  for (int k = 0; k < 2; ++k) {
    EsOptimizer teacher(psi);
    rollouts.push_back(record_imitation_rollout(task, teacher, FeatureSet::adaptive, relative, 4, 0,
                                                k, kHorizon, 16));
  }
  const std::size_t g = 1;  // layer1.biases: psi's log rate falls from 0.4 to -0.3 then 0.2
  ObservationStatistics statistics(6);
  for (const auto& rollout : rollouts) statistics.add_rollout(rollout[g]);
  LstmPolicyParams params;
  params.hidden_size = 8;
  params.input_size = 6;
  params.adam.learning_rate = 1e-2;
  GpsPolicy policy(params, PolicyConstants{statistics.normalisation(), 1.0}, 2, g);
  PolicyTrainingSet data;
  for (const auto& rollout : rollouts)
    data.add_rollout(rollout[g], imitation_targets(psi, g, rollout[g].rows(), kHorizon));
  data.step_weights = Eigen::VectorXd::Ones(kHorizon);
  const auto error = [&] {
    return (policy.teacher_forced_means(data.observations) - data.targets).squaredNorm() /
           static_cast<double>(data.targets.size());
  };
  const double before = error();  // the zero output's: the mean square of psi's log rates
  PolicyTrainingParams training;
  training.max_steps = 150;
  training.max_epochs = 1000;
  for (std::uint64_t round = 0; round < 2; ++round)
    train_policy(policy, data, training, {4, round, g});
  CHECK(before > 0.02);
  CHECK(error() < 0.1 * before);
}

}  // namespace l2o
