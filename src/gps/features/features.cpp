#include "gps/features/features.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {

bool is_active(int component, int t) {
  if (component < 0 || component >= kMaxStateDim) {
    throw std::out_of_range("is_active: component " + std::to_string(component) + " outside 0.." +
                            std::to_string(kMaxStateDim - 1));
  }
  if (component >= kStateDim) return true;  // adaptive directions, privileged gradient: from t = 0
  // gps-spec.md §2.2: obj i iff t >= 5i+5; grad i iff t >= 5i; iter i iff t >= 5i+5.
  if (component < kGradientFeatureOffset) return t >= kFeatureBlock * (component + 1);
  if (component < kIterateFeatureOffset) {
    return t >= kFeatureBlock * (component - kGradientFeatureOffset);
  }
  return t >= kFeatureBlock * (component - kIterateFeatureOffset + 1);
}

int active_count(int t) {
  if (t < 0) throw std::out_of_range("active_count: negative time step");
  return t >= kFullyActiveTime ? kStateDim : 3 * (t / kFeatureBlock) + 1;
}

int last_activation_time(int t) {
  return std::min(kFeatureBlock * (t / kFeatureBlock), kFullyActiveTime);
}

std::vector<int> active_set(int t, int state_dim) {
  std::vector<int> indices;
  indices.reserve(state_dim);
  for (int i = 0; i < state_dim; ++i) {
    if (is_active(i, t)) indices.push_back(i);
  }
  return indices;
}

ActiveMask active_mask(int horizon, int state_dim) {
  ActiveMask mask(horizon, state_dim);
  for (int t = 0; t < horizon; ++t) {
    for (int i = 0; i < state_dim; ++i) mask(t, i) = is_active(i, t);
  }
  return mask;
}

double guarded_objective(double f) {
  const double magnitude = std::max(std::abs(f), 1e-12);
  return f < 0.0 ? -magnitude : magnitude;
}

}  // namespace l2o
