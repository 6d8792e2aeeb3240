#pragma once
// "Predicted Step Descent": the GPS-trained policies as an ordinary optimizer (gps-spec.md §15).
// Per iteration one gradient call on the fresh minibatch and one step of every group's LSTM
// (predicted_step_descent.hpp). It runs on any parameter vector whose groups carry roles the
// model has policies for: groups are matched by role, not by index, so a model trained on a
// 48-48-10 net drives a 100-200-10 net (same roles, other sizes), for any number of iterations.
// The LSTMs compute in float like GPS's own evaluation (§1.2), independently of the thread count
// (lstm_policy.hpp).
#include <optional>
#include <string>
#include <vector>

#include "gps/gps_model_file.hpp"
#include "gps/predicted_step_descent.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// The learned optimizer of a GPS model.
class PsdOptimizer final : public Optimizer {
 public:
  /// Optimizer applying `model`'s policies. Throws std::invalid_argument if the model has no
  /// groups or two groups share a role.
  explicit PsdOptimizer(GpsModel model);

  /// "psd" with the paper's features, "psd_scale_free" with the scale-free ones, so both
  /// variants can be compared in one evaluation.
  [[nodiscard]] std::string name() const override;
  /// scale_free_features (0/1), then per model group "<role>.hidden_size", "<role>.action_scale".
  [[nodiscard]] HyperparameterList hyperparameters() const override;
  /// Throws std::invalid_argument naming the first role of `groups` the model has no policy for.
  void check_groups(const std::vector<ParameterGroup>& groups) const override;
  /// The model it applies.
  [[nodiscard]] const GpsModel& model() const { return model_; }

 protected:
  /// Needs start(groups): matches every group to the model's policy of its role.
  void do_start(Eigen::Index dimension) override;
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) override;

 private:
  /// Index of the model group of `role`, or model().groups.size() if there is none.
  [[nodiscard]] std::size_t role_index(const std::string& role) const;

  GpsModel model_;
  std::optional<PredictedStepDescent<float>> run_;  // the current run, from start()
  Eigen::VectorXd gradient_;
};

}  // namespace l2o
