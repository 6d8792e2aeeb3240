#pragma once
// "Predicted Step Descent": the GPS-trained policies as an ordinary optimizer (gps-spec.md §15).
// Per iteration one gradient call on the fresh minibatch and one step of every group's LSTM
// (predicted_step_descent.hpp). Groups are matched to policies by role, not by index, so a model
// trained on a 48-48-10 net drives a 100-200-10 net (same roles, other sizes), for any number of
// iterations. Deeper nets are l2o's extension (policy_role): the first and last layers keep their
// policies, an extra hidden layer takes a hidden layer's policy.
// The LSTMs compute in float like GPS's own evaluation (§1.2), independently of the thread count
// (lstm_policy.hpp).
#include <optional>
#include <string>
#include <vector>

#include "gps/files/gps_model_file.hpp"
#include "gps/policy/predicted_step_descent.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// The learned optimizer of a GPS model.
class PsdOptimizer final : public Optimizer {
 public:
  /// Optimizer applying `model`'s policies. Throws std::invalid_argument if the model has no
  /// groups or two groups share a role.
  explicit PsdOptimizer(GpsModel model);

  /// "psd" with the paper's features or a relative output (the delivered PSD), else
  /// "psd_<features>" ("psd_scale_free"), so the variants can be compared in one evaluation.
  [[nodiscard]] std::string name() const override;
  /// scale_free_features (0/1), then per model group "<role>.hidden_size", "<role>.action_scale",
  /// then for a relative output "relative.base_rate", "relative.max_log_factor".
  [[nodiscard]] HyperparameterList hyperparameters() const override;
  /// Throws std::invalid_argument naming the first policy role (policy_role) of `groups` the
  /// model lacks.
  void check_groups(const std::vector<ParameterGroup>& groups) const override;
  /// The model it applies.
  [[nodiscard]] const GpsModel& model() const { return model_; }
  /// The current run's feature history and memories (state_vector.hpp), to continue it later
  /// with restore_run_state() after start() on the same groups. Throws std::logic_error before
  /// start().
  [[nodiscard]] Eigen::VectorXd run_state() const;
  /// Continues the run saved by run_state(); throws std::invalid_argument if it does not fit.
  void restore_run_state(const Eigen::VectorXd& state);

 protected:
  /// Needs start(groups): matches every group to the model's policy of its role.
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  /// The role of the model policy that moves `group` of a net with `net_layers` layers: layer 1
  /// -> the model's layer 1, layer net_layers -> the model's last layer, a hidden layer k between
  /// -> the model's layer min(k, last - 1); same kind (weights/biases).
  [[nodiscard]] std::string policy_role(const ParameterGroup& group, int net_layers) const;
  /// Index of the model group of `role`, or model().groups.size() if there is none.
  [[nodiscard]] std::size_t role_index(const std::string& role) const;

  GpsModel model_;
  int model_layers_ = 0;  // layers of the training net (largest k of the roles "layer<k>.*")
  std::optional<PredictedStepDescent<float>> run_;  // the current run, from start()
  Eigen::VectorXd gradient_;
};

}  // namespace l2o
