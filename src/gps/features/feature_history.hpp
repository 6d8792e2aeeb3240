#pragma once
// Ring buffers of the running averages of one rollout, and the state features Phi_t and
// observation features Psi_t computed from them for all (or chosen) coordinates
// (gps-spec.md §2.1-§2.3). Sized once per optimisee; push() and the feature getters do not
// allocate, and every feature is one Eigen array expression over coordinates.
#include <Eigen/Core>
#include <array>
#include <span>

#include "gps/features/feature_set.hpp"
#include "gps/features/features.hpp"
#include "util/state_vector.hpp"

namespace l2o {

/// Averaged entries kept per quantity: features read averages at indices >= t-130 (§2.1).
inline constexpr int kAveragedHistory = 131;
/// Raw entries kept per quantity: averages of the last 3 values, Psi needs x^(t-2) (§2.1, §2.3).
inline constexpr int kRawHistory = 3;

/// Which features a history serves. Test time (§15) reads only the observations Psi_t, which need
/// the raw entries alone; the averaged entries (2 x 131 columns, 46 MB at d = 22,210) are kept
/// only for the state features Phi_t of training rollouts.
enum class FeatureUse { state_and_observation, observation_only };

/// Feature history of one optimisee run: fed (f_t, grad f_t, x^(t)) once per step t = 0, 1, ...
class FeatureHistory {
 public:
  /// History for `coordinates` parameters, empty (no step pushed); `features` chooses the
  /// gradient the features see (feature_set.hpp), `use` which features it can compute.
  explicit FeatureHistory(Eigen::Index coordinates, FeatureSet features = FeatureSet::paper,
                          FeatureUse use = FeatureUse::state_and_observation);

  /// Forgets all steps (start of a new rollout); keeps the buffers.
  void reset();

  /// Appends step t: minibatch loss f-hat_t, minibatch gradient and iterate x^(t) (size d).
  /// With FeatureSet::scale_free the gradient is first divided by its running RMS; with
  /// FeatureSet::adaptive the AdaGrad and RMSprop directions of the gradient are updated.
  void push(double minibatch_loss, const Eigen::Ref<const Eigen::VectorXd>& minibatch_gradient,
            const Eigen::Ref<const Eigen::VectorXd>& iterate);

  /// Appends everything push() has accumulated (state_vector.hpp).
  void save(StateWriter& out) const;
  /// Reads back what save() wrote for the same coordinates and feature set.
  void restore(StateReader& in);

  /// Number of parameters d.
  [[nodiscard]] Eigen::Index coordinates() const { return raw_iterates_.rows(); }
  /// Time step t of the last push (-1 before the first).
  [[nodiscard]] int time() const { return time_; }

  /// The feature set in use.
  [[nodiscard]] FeatureSet features() const { return features_; }

  /// Phi_t of every coordinate into `phi` (d x state_dimension(features)), layout of
  /// gps-spec.md §3.1 (then the adaptive directions). Throws std::logic_error for a
  /// FeatureUse::observation_only history.
  void state_features(Eigen::Ref<Eigen::MatrixXd> phi) const;
  /// Phi_t of the coordinates `rows` into `phi` (rows.size() x state_dimension(features)).
  void state_features(std::span<const Eigen::Index> rows, Eigen::Ref<Eigen::MatrixXd> phi) const;
  /// Psi_t of every coordinate into `psi` (d x observation_dimension(features)), §2.3.
  void observation_features(Eigen::Ref<Eigen::MatrixXd> psi) const;
  /// Psi_t of the coordinates `rows` into `psi` (rows.size() x observation_dimension(features)).
  void observation_features(std::span<const Eigen::Index> rows,
                            Eigen::Ref<Eigen::MatrixXd> psi) const;

 private:
  template <class Rows>
  void fill_state_features(const Rows& rows, Eigen::Ref<Eigen::MatrixXd> phi) const;
  template <class Rows>
  void fill_observation_features(const Rows& rows, Eigen::Ref<Eigen::MatrixXd> psi) const;
  void require_state_features() const;
  void check_output(Eigen::Index rows, Eigen::Index out_rows, Eigen::Index out_cols,
                    Eigen::Index expected_cols) const;

  static int averaged_slot(int i) { return i % kAveragedHistory; }
  static int raw_slot(int i) { return i % kRawHistory; }

  FeatureSet features_;
  FeatureUse use_;
  int time_ = -1;
  Eigen::VectorXd squared_gradient_mean_;  ///< v_t of scale_free (empty for paper)
  double decay_power_ = 1.0;               ///< 0.99^(t+1) of scale_free's bias correction
  Eigen::VectorXd squared_gradient_sum_;   ///< G_t of adaptive (empty otherwise)
  Eigen::VectorXd mean_square_;            ///< v_t of adaptive's RMSprop (empty otherwise)
  Eigen::MatrixXd adaptive_directions_;    ///< d x 2: AdaGrad, RMSprop directions at t
  Eigen::MatrixXd raw_iterates_;           ///< d x 3; column i mod 3 holds x^(i)
  Eigen::MatrixXd raw_gradients_;          ///< d x 3; minibatch gradients
  std::array<double, kRawHistory> raw_losses_{};
  Eigen::MatrixXd averaged_iterates_;   ///< d x 131 (empty if observation_only); x-bar^(i mod 131)
  Eigen::MatrixXd averaged_gradients_;  ///< d x 131 (empty if observation_only); g-bar^(i)
  std::array<double, kAveragedHistory> averaged_losses_{};  ///< f-bar^(i)
};

}  // namespace l2o
