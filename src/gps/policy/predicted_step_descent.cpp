#include "gps/policy/predicted_step_descent.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace l2o {
namespace {

// The parameter count of `groups`, checking they tile it and the policies match them one to one.
template <class Scalar>
Eigen::Index checked_dimension(const std::vector<ParameterGroup>& groups,
                               const std::vector<LstmPolicy<Scalar>*>& policies) {
  if (groups.empty() || policies.size() != groups.size()) {
    throw std::invalid_argument("PredictedStepDescent: " + std::to_string(policies.size()) +
                                " policies for " + std::to_string(groups.size()) +
                                " groups; need one per group");
  }
  Eigen::Index dimension = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (policies[g] == nullptr)
      throw std::invalid_argument("PredictedStepDescent: no policy for group " + groups[g].role);
    if (groups[g].offset != dimension || groups[g].size < 1)
      throw std::invalid_argument("PredictedStepDescent: group " + groups[g].role +
                                  " does not continue the previous groups");
    dimension += groups[g].size;
  }
  return dimension;
}

}  // namespace

template <class Scalar>
PredictedStepDescent<Scalar>::PredictedStepDescent(const std::vector<ParameterGroup>& groups,
                                                   std::vector<LstmPolicy<Scalar>*> policies,
                                                   FeatureSet features)
    : groups_(groups),
      policies_(std::move(policies)),
      history_(checked_dimension(groups_, policies_), features, FeatureUse::observation_only),
      observations_(history_.coordinates(), observation_dimension(features)),
      steps_(history_.coordinates()) {
  memories_.reserve(groups_.size());
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    memories_.push_back(policies_[g]->initial_memory(groups_[g].size));  // §15 step 1
  }
}

template <class Scalar>
void PredictedStepDescent<Scalar>::reset() {
  history_.reset();
  for (LstmState<Scalar>& memory : memories_) memory.reset();
}

template <class Scalar>
void PredictedStepDescent<Scalar>::save(StateWriter& out) const {
  history_.save(out);
  for (const LstmState<Scalar>& memory : memories_) memory.save(out);
}

template <class Scalar>
void PredictedStepDescent<Scalar>::restore(StateReader& in) {
  history_.restore(in);
  for (LstmState<Scalar>& memory : memories_) memory.restore(in);
}

template <class Scalar>
const Eigen::VectorXd& PredictedStepDescent<Scalar>::steps(
    double minibatch_loss, const Eigen::Ref<const Eigen::VectorXd>& minibatch_gradient,
    const Eigen::Ref<const Eigen::VectorXd>& iterate) {
  history_.push(minibatch_loss, minibatch_gradient, iterate);  // checks the sizes
  history_.observation_features(observations_);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const ParameterGroup& group = groups_[g];
    auto group_steps = steps_.segment(group.offset, group.size);
    policies_[g]->step(observations_.middleRows(group.offset, group.size), memories_[g],
                       group_steps);
  }
  return steps_;
}

template class PredictedStepDescent<float>;
template class PredictedStepDescent<double>;

}  // namespace l2o
