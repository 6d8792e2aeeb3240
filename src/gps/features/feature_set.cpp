#include "gps/features/feature_set.hpp"

#include <stdexcept>

#include "gps/features/features.hpp"

namespace l2o {

std::string feature_set_name(FeatureSet features) {
  switch (features) {
    case FeatureSet::paper:
      return "paper";
    case FeatureSet::scale_free:
      return "scale_free";
    case FeatureSet::adaptive:
      return "adaptive";
  }
  throw std::logic_error("feature_set_name: unknown FeatureSet");
}

FeatureSet parse_feature_set(std::string_view name) {
  if (name == "paper") return FeatureSet::paper;
  if (name == "scale_free") return FeatureSet::scale_free;
  if (name == "adaptive") return FeatureSet::adaptive;
  throw std::invalid_argument("unknown feature set \"" + std::string(name) +
                              "\"; use \"paper\", \"scale_free\" or \"adaptive\"");
}

int state_dimension(FeatureSet features) {
  return features == FeatureSet::adaptive ? kStateDim + kAdaptiveDirections : kStateDim;
}

int observation_dimension(FeatureSet features) {
  return features == FeatureSet::adaptive ? kObservationDim + kAdaptiveDirections : kObservationDim;
}

}  // namespace l2o
