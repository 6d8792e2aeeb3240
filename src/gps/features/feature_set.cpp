#include "gps/features/feature_set.hpp"

#include <stdexcept>

namespace l2o {

std::string feature_set_name(FeatureSet features) {
  return features == FeatureSet::paper ? "paper" : "scale_free";
}

FeatureSet parse_feature_set(std::string_view name) {
  if (name == "paper") return FeatureSet::paper;
  if (name == "scale_free") return FeatureSet::scale_free;
  throw std::invalid_argument("unknown feature set \"" + std::string(name) +
                              "\"; use \"paper\" or \"scale_free\"");
}

}  // namespace l2o
