#include "gps/policy/relative_output.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

void RelativeOutput::check(std::size_t group_count) const {
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("relative output: " + what);
  };
  require(std::isfinite(base_rate) && base_rate > 0.0, "base_rate must be finite and > 0");
  require(std::isfinite(max_log_factor) && max_log_factor > 0.0,
          "max_log_factor must be finite and > 0");
  require(horizon >= 1, "horizon must be >= 1");
  require(groups.size() == group_count, "has " + std::to_string(groups.size()) +
                                            " groups' constants for " +
                                            std::to_string(group_count) + " groups");
  for (const RelativeGroup& g : groups) {
    const MomentDirection& d = g.direction;
    require(d.momentum >= 0.0 && d.momentum < 1.0 && d.decay > 0.0 && d.decay <= 1.0 &&
                d.second_moment_weight > 0.0 && d.second_moment_weight <= 1.0 &&
                std::isfinite(d.epsilon) && d.epsilon > 0.0,
            "a direction needs momentum in [0, 1), decay and weight in (0, 1], epsilon > 0");
    require(g.size.valid(), "a size rule needs a finite exponent and a reference size > 0");
  }
}

double relative_time_input(int t, int horizon) {
  return std::min(std::log1p(static_cast<double>(t)) / std::log1p(static_cast<double>(horizon)),
                  1.0);
}

int policy_input_dimension(FeatureSet features, bool relative) {
  return observation_dimension(features) + (relative ? 1 : 0);
}

namespace {

void append_time_input(const FeatureHistory& history, const RelativeOutput* relative,
                       Eigen::Ref<Eigen::MatrixXd> out) {
  if (relative != nullptr)
    out.col(observation_dimension(history.features()))
        .setConstant(relative_time_input(history.time(), relative->horizon));
}

}  // namespace

void policy_observations(const FeatureHistory& history, const RelativeOutput* relative,
                         Eigen::Ref<Eigen::MatrixXd> out) {
  history.observation_features(out.leftCols(observation_dimension(history.features())));
  append_time_input(history, relative, out);
}

void policy_observations(const FeatureHistory& history, std::span<const Eigen::Index> rows,
                         const RelativeOutput* relative, Eigen::Ref<Eigen::MatrixXd> out) {
  history.observation_features(rows, out.leftCols(observation_dimension(history.features())));
  append_time_input(history, relative, out);
}

}  // namespace l2o
