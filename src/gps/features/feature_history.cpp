#include "gps/features/feature_history.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace l2o {

FeatureHistory::FeatureHistory(Eigen::Index coordinates, FeatureSet features, FeatureUse use)
    : features_(features), use_(use) {
  if (coordinates <= 0) throw std::invalid_argument("FeatureHistory: coordinates must be > 0");
  raw_iterates_.resize(coordinates, kRawHistory);
  raw_gradients_.resize(coordinates, kRawHistory);
  if (use_ == FeatureUse::state_and_observation) {
    averaged_iterates_.resize(coordinates, kAveragedHistory);
    averaged_gradients_.resize(coordinates, kAveragedHistory);
  }
  if (features_ == FeatureSet::scale_free) squared_gradient_mean_.resize(coordinates);
  if (features_ == FeatureSet::adaptive) {
    squared_gradient_sum_.resize(coordinates);
    mean_square_.resize(coordinates);
    adaptive_directions_.resize(coordinates, kAdaptiveDirections);
  }
}

void FeatureHistory::reset() {
  time_ = -1;
}

void FeatureHistory::push(double minibatch_loss,
                          const Eigen::Ref<const Eigen::VectorXd>& minibatch_gradient,
                          const Eigen::Ref<const Eigen::VectorXd>& iterate) {
  if (minibatch_gradient.size() != coordinates() || iterate.size() != coordinates()) {
    throw std::invalid_argument("FeatureHistory::push: gradient and iterate must have size " +
                                std::to_string(coordinates()));
  }
  const int t = ++time_;
  raw_iterates_.col(raw_slot(t)) = iterate;
  auto gradient = raw_gradients_.col(raw_slot(t));
  gradient = minibatch_gradient;
  if (features_ == FeatureSet::scale_free) {
    // v_t with v_{-1} = 0, then g / (sqrt(v_t / (1 - 0.99^(t+1))) + eps) (feature_set.hpp).
    if (t == 0) {
      squared_gradient_mean_.setZero();
      decay_power_ = 1.0;
    }
    squared_gradient_mean_ =
        kScaleFreeDecay * squared_gradient_mean_ + (1.0 - kScaleFreeDecay) * gradient.cwiseAbs2();
    decay_power_ *= kScaleFreeDecay;
    gradient.array() /=
        (squared_gradient_mean_.array() / (1.0 - decay_power_)).sqrt() + kScaleFreeEpsilon;
  }
  if (features_ == FeatureSet::adaptive) {
    // The updates of optim/adagrad.cpp and optim/rmsprop.cpp with their default constants
    // (feature_set.hpp), so -lr times a direction is that optimizer's step up to rounding.
    if (t == 0) {
      squared_gradient_sum_.setZero();
      mean_square_.setZero();
    }
    squared_gradient_sum_ += gradient.cwiseProduct(gradient);
    mean_square_ =
        kRmspropDecay * mean_square_ + (1.0 - kRmspropDecay) * gradient.cwiseProduct(gradient);
    adaptive_directions_.col(0) =
        (gradient.array() / (squared_gradient_sum_.array().sqrt() + kAdagradEpsilon)).matrix();
    adaptive_directions_.col(1) =
        (gradient.array() / (mean_square_.array().sqrt() + kRmspropEpsilon)).matrix();
  }
  raw_losses_[raw_slot(t)] = minibatch_loss;
  if (use_ == FeatureUse::observation_only) return;

  // gps-spec.md §2.1: mean of x^(k), k = max(t-2,0)..t, summed oldest first.
  const int first = std::max(t - 2, 0);
  const double count = t - first + 1;
  auto x_bar = averaged_iterates_.col(averaged_slot(t));
  auto g_bar = averaged_gradients_.col(averaged_slot(t));
  double f_sum = raw_losses_[raw_slot(first)];
  x_bar = raw_iterates_.col(raw_slot(first));
  g_bar = raw_gradients_.col(raw_slot(first));
  for (int k = first + 1; k <= t; ++k) {
    x_bar += raw_iterates_.col(raw_slot(k));
    g_bar += raw_gradients_.col(raw_slot(k));
    f_sum += raw_losses_[raw_slot(k)];
  }
  x_bar /= count;
  g_bar /= count;
  averaged_losses_[averaged_slot(t)] = f_sum / count;
}

void FeatureHistory::save(StateWriter& out) const {
  out.put(time_);
  out.put(decay_power_);
  out.put(squared_gradient_mean_);
  out.put(raw_iterates_);
  out.put(raw_gradients_);
  out.put(Eigen::Map<const Eigen::VectorXd>(raw_losses_.data(), kRawHistory));
  out.put(averaged_iterates_);
  out.put(averaged_gradients_);
  out.put(Eigen::Map<const Eigen::VectorXd>(averaged_losses_.data(), kAveragedHistory));
  out.put(squared_gradient_sum_);
  out.put(mean_square_);
  out.put(adaptive_directions_);
}

void FeatureHistory::restore(StateReader& in) {
  time_ = static_cast<int>(in.get());
  decay_power_ = in.get();
  in.get(squared_gradient_mean_);
  in.get(raw_iterates_);
  in.get(raw_gradients_);
  in.get(Eigen::Map<Eigen::VectorXd>(raw_losses_.data(), kRawHistory));
  in.get(averaged_iterates_);
  in.get(averaged_gradients_);
  in.get(Eigen::Map<Eigen::VectorXd>(averaged_losses_.data(), kAveragedHistory));
  in.get(squared_gradient_sum_);
  in.get(mean_square_);
  in.get(adaptive_directions_);
}

void FeatureHistory::check_output(Eigen::Index rows, Eigen::Index out_rows, Eigen::Index out_cols,
                                  Eigen::Index expected_cols) const {
  if (time_ < 0) throw std::logic_error("FeatureHistory: features requested before push()");
  if (out_rows != rows || out_cols != expected_cols) {
    throw std::invalid_argument("FeatureHistory: output must be " + std::to_string(rows) + " x " +
                                std::to_string(expected_cols));
  }
}

template <class Rows>
void FeatureHistory::fill_state_features(const Rows& rows, Eigen::Ref<Eigen::MatrixXd> phi) const {
  const int t = time_;
  const int r = t % kFeatureBlock;
  // Objective features (§2.2), one scalar per column shared by every coordinate.
  for (int i = 0; i < kObjectiveFeatures; ++i) {
    if (t >= kFeatureBlock * i + kFeatureBlock) {
      const double recent = averaged_losses_[averaged_slot(t - 5 * i)];
      const double older = averaged_losses_[averaged_slot(t - 5 * i - 5)];
      phi.col(i).setConstant((recent - older) / guarded_objective(older));
    } else {
      phi.col(i).setZero();
    }
  }
  // Gradient features: the max(., r) clamp stays in t's residue class mod 5 (§2.2).
  for (int i = 0; i < kGradientFeatures; ++i) {
    auto column = phi.col(kGradientFeatureOffset + i);
    if (t >= kFeatureBlock * i) {
      const auto recent = averaged_gradients_(rows, averaged_slot(t - 5 * i)).array();
      const auto older = averaged_gradients_(rows, averaged_slot(std::max(t - 5 * i - 5, r)));
      column = (recent / (older.array().abs() + 1.0)).matrix();
    } else {
      column.setZero();
    }
  }
  // Iterate features: older block change over recent block change (§2.2).
  for (int i = 0; i < kIterateFeatures; ++i) {
    auto column = phi.col(kIterateFeatureOffset + i);
    if (t >= kFeatureBlock * i + kFeatureBlock) {
      const auto older_end =
          averaged_iterates_(rows, averaged_slot(std::max(t - 5 * i - 5, r + 5)));
      const auto older_start = averaged_iterates_(rows, averaged_slot(std::max(t - 5 * i - 10, r)));
      const auto recent_end = averaged_iterates_(rows, averaged_slot(t - 5 * i));
      const auto recent_start = averaged_iterates_(rows, averaged_slot(t - 5 * i - 5));
      column = ((older_end - older_start).array().abs() /
                ((recent_end - recent_start).array().abs() + 0.1))
                   .matrix();
    } else {
      column.setZero();
    }
  }
  if (features_ == FeatureSet::adaptive) {
    phi.middleCols(kAdagradComponent, kAdaptiveDirections) = adaptive_directions_(rows, Eigen::all);
  }
}

template <class Rows>
void FeatureHistory::fill_observation_features(const Rows& rows,
                                               Eigen::Ref<Eigen::MatrixXd> psi) const {
  const int t = time_;
  const auto gradient = raw_gradients_(rows, raw_slot(t)).array();
  const auto previous_gradient = raw_gradients_(rows, raw_slot(std::max(t - 1, 0))).array();
  psi.col(1) = (gradient / (previous_gradient.abs() + 1.0)).matrix();
  if (features_ == FeatureSet::adaptive) {
    psi.middleCols(kAdagradObservation, kAdaptiveDirections) =
        adaptive_directions_(rows, Eigen::all);
  }
  if (t == 0) {  // first and third entries are 0 at t = 0 (§2.3)
    psi.col(0).setZero();
    psi.col(2).setZero();
    return;
  }
  const double previous_loss = raw_losses_[raw_slot(t - 1)];
  psi.col(0).setConstant((raw_losses_[raw_slot(t)] - previous_loss) /
                         guarded_objective(previous_loss));
  const auto older_end = raw_iterates_(rows, raw_slot(std::max(t - 1, 1))).array();
  const auto older_start = raw_iterates_(rows, raw_slot(std::max(t - 2, 0))).array();
  const auto current = raw_iterates_(rows, raw_slot(t)).array();
  const auto previous = raw_iterates_(rows, raw_slot(t - 1)).array();
  psi.col(2) = ((older_end - older_start).abs() / ((current - previous).abs() + 0.1)).matrix();
}

void FeatureHistory::require_state_features() const {
  if (use_ == FeatureUse::observation_only) {
    throw std::logic_error(
        "FeatureHistory: state features requested from an observation-only "
        "history");
  }
}

void FeatureHistory::state_features(Eigen::Ref<Eigen::MatrixXd> phi) const {
  require_state_features();
  check_output(coordinates(), phi.rows(), phi.cols(), state_dimension(features_));
  fill_state_features(Eigen::all, phi);
}

void FeatureHistory::state_features(std::span<const Eigen::Index> rows,
                                    Eigen::Ref<Eigen::MatrixXd> phi) const {
  require_state_features();
  check_output(static_cast<Eigen::Index>(rows.size()), phi.rows(), phi.cols(),
               state_dimension(features_));
  fill_state_features(rows, phi);
}

void FeatureHistory::observation_features(Eigen::Ref<Eigen::MatrixXd> psi) const {
  check_output(coordinates(), psi.rows(), psi.cols(), observation_dimension(features_));
  fill_observation_features(Eigen::all, psi);
}

void FeatureHistory::observation_features(std::span<const Eigen::Index> rows,
                                          Eigen::Ref<Eigen::MatrixXd> psi) const {
  check_output(static_cast<Eigen::Index>(rows.size()), psi.rows(), psi.cols(),
               observation_dimension(features_));
  fill_observation_features(rows, psi);
}

}  // namespace l2o
