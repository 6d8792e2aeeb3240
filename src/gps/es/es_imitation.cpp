#include "gps/es/es_imitation.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "gps/features/feature_history.hpp"
#include "gps/loop/rollout_recorder.hpp"
#include "util/random_stream.hpp"

namespace l2o {
namespace {

// Forwards to the task's oracle and feeds every gradient evaluation into the feature history, so
// recording costs no extra gradient: psi and pi evaluate one gradient per step (checked).
class ObservingOracle final : public MinibatchOracle {
 public:
  ObservingOracle(MinibatchOracle& inner, FeatureHistory& history)
      : inner_(inner), history_(history) {}
  [[nodiscard]] Eigen::Index dimension() const override { return inner_.dimension(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    ++evaluations_;
    return inner_.loss(x);
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    const double f = inner_.loss_gradient(x, gradient);
    history_.push(f, gradient, x);
    return f;
  }

 private:
  MinibatchOracle& inner_;
  FeatureHistory& history_;
};

}  // namespace

void ImitationParams::check() const {
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("imitation_" + what);
  };
  require(rounds >= 0, "rounds must be >= 0");
  require(rollouts >= 1, "rollouts must be >= 1");
  require(recorded >= 1, "recorded coordinates must be >= 1");
  require(policy_fraction >= 0.0 && policy_fraction <= 1.0, "policy_fraction must be in [0, 1]");
  require(evaluation_rollouts >= 1, "evaluation_rollouts must be >= 1");
  require(std::isfinite(max_log_factor) && max_log_factor > 0.0,
          "max_log_factor must be finite and > 0");
}

int ImitationParams::policy_driven_rollouts(int round) const {
  return round == 0 ? 0 : static_cast<int>(std::lround(policy_fraction * rollouts));
}

RelativeOutput relative_output_of(const EsController& psi, int horizon, double max_log_factor) {
  RelativeOutput relative{psi.base_rate, max_log_factor, horizon, {}};
  const std::vector<MomentDirection> directions = es_directions(psi);
  for (std::size_t g = 0; g < directions.size(); ++g)
    relative.groups.push_back({directions[g], psi.groups[g].size});
  relative.check(psi.groups.size());
  return relative;
}

Eigen::MatrixXd imitation_targets(const EsController& psi, std::size_t group, Eigen::Index rows,
                                  int horizon) {
  Eigen::RowVectorXd schedule(horizon);
  for (int t = 0; t < horizon; ++t) schedule(t) = psi.log_rate_at(group, static_cast<double>(t));
  return schedule.replicate(rows, 1);
}

std::uint64_t imitation_rollout_seed(std::uint64_t seed, int round, int rollout) {
  return RandomStream(seed, "imitation-rollout",
                      {static_cast<std::uint64_t>(round), static_cast<std::uint64_t>(rollout)})
      .next_u64();
}

std::uint64_t imitation_evaluation_seed(std::uint64_t seed, int rollout) {
  return RandomStream(seed, "imitation-evaluation", {static_cast<std::uint64_t>(rollout)})
      .next_u64();
}

std::vector<Eigen::MatrixXd> record_imitation_rollout(const MlpTask& task, Optimizer& driver,
                                                      FeatureSet features,
                                                      const RelativeOutput& relative,
                                                      std::uint64_t seed, int round, int rollout,
                                                      int horizon, Eigen::Index recorded) {
  const std::uint64_t rollout_seed = imitation_rollout_seed(seed, round, rollout);
  const auto& groups = task.mlp().groups();
  const int inputs = policy_input_dimension(features, true);
  std::vector<std::vector<Eigen::Index>> rows;
  std::vector<Eigen::MatrixXd> sequences;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<Eigen::Index> chosen = recorded_coordinates(
        groups[g].size, recorded, seed, RolloutContext{round, rollout}, static_cast<int>(g));
    for (Eigen::Index& j : chosen) j += groups[g].offset;
    sequences.emplace_back(static_cast<Eigen::Index>(chosen.size()),
                           static_cast<Eigen::Index>(inputs) * horizon);
    rows.push_back(std::move(chosen));
  }
  Eigen::VectorXd x = task.mlp().initial_parameters(rollout_seed);
  MinibatchSampler sampler = task.sampler(rollout_seed);
  MlpMinibatchOracle task_oracle(task);
  FeatureHistory history(x.size(), features, FeatureUse::observation_only);
  ObservingOracle oracle(task_oracle, history);
  driver.start(groups);
  for (int t = 0; t < horizon; ++t) {
    task_oracle.set_batch(sampler.batch(t));
    driver.step(x, oracle);
    if (history.time() != t)
      throw std::logic_error("record_imitation_rollout: the driver " + driver.name() +
                             " did not evaluate one gradient per step");
    if (!x.allFinite())
      throw std::runtime_error("imitation round " + std::to_string(round) + " rollout " +
                               std::to_string(rollout) + ": " + driver.name() +
                               " left a non-finite iterate at step " + std::to_string(t));
    for (std::size_t g = 0; g < groups.size(); ++g)
      policy_observations(history, rows[g], &relative,
                          sequences[g].middleCols(static_cast<Eigen::Index>(inputs) * t, inputs));
  }
  return sequences;
}

}  // namespace l2o
