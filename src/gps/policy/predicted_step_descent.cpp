#include "gps/policy/predicted_step_descent.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace l2o {
namespace {

// The parameter count of `groups`, checking they tile it and the policies match them one to one.
template <class Scalar>
Eigen::Index checked_dimension(const std::vector<ParameterGroup>& groups,
                               const std::vector<LstmPolicy<Scalar>*>& policies,
                               FeatureSet features, const std::optional<RelativeOutput>& relative) {
  if (groups.empty() || policies.size() != groups.size()) {
    throw std::invalid_argument("PredictedStepDescent: " + std::to_string(policies.size()) +
                                " policies for " + std::to_string(groups.size()) +
                                " groups; need one per group");
  }
  Eigen::Index dimension = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (policies[g] == nullptr)
      throw std::invalid_argument("PredictedStepDescent: no policy for group " + groups[g].role);
    if (policies[g]->shape().input_size != policy_input_dimension(features, relative.has_value()))
      throw std::invalid_argument("PredictedStepDescent: the policy of group " + groups[g].role +
                                  " reads another number of observations");
    if (groups[g].offset != dimension || groups[g].size < 1)
      throw std::invalid_argument("PredictedStepDescent: group " + groups[g].role +
                                  " does not continue the previous groups");
    dimension += groups[g].size;
  }
  if (relative) relative->check(groups.size());
  return dimension;
}

}  // namespace

template <class Scalar>
PredictedStepDescent<Scalar>::PredictedStepDescent(const std::vector<ParameterGroup>& groups,
                                                   std::vector<LstmPolicy<Scalar>*> policies,
                                                   FeatureSet features,
                                                   std::optional<RelativeOutput> relative)
    : groups_(groups),
      policies_(std::move(policies)),
      history_(checked_dimension(groups_, policies_, features, relative), features,
               FeatureUse::observation_only),
      relative_(std::move(relative)),
      observations_(history_.coordinates(),
                    policy_input_dimension(features, relative_.has_value())),
      steps_(history_.coordinates()) {
  if (relative_) {
    first_moment_.setZero(history_.coordinates());
    second_moment_.setZero(history_.coordinates());
  }
  memories_.reserve(groups_.size());
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    memories_.push_back(policies_[g]->initial_memory(groups_[g].size));  // §15 step 1
  }
}

template <class Scalar>
void PredictedStepDescent<Scalar>::reset() {
  history_.reset();
  for (LstmState<Scalar>& memory : memories_) memory.reset();
  first_moment_.setZero();
  second_moment_.setZero();
}

template <class Scalar>
void PredictedStepDescent<Scalar>::save(StateWriter& out) const {
  history_.save(out);
  for (const LstmState<Scalar>& memory : memories_) memory.save(out);
  out.put(first_moment_);
  out.put(second_moment_);
}

template <class Scalar>
void PredictedStepDescent<Scalar>::restore(StateReader& in) {
  history_.restore(in);
  for (LstmState<Scalar>& memory : memories_) memory.restore(in);
  in.get(first_moment_);
  in.get(second_moment_);
}

template <class Scalar>
const Eigen::VectorXd& PredictedStepDescent<Scalar>::steps(
    double minibatch_loss, const Eigen::Ref<const Eigen::VectorXd>& minibatch_gradient,
    const Eigen::Ref<const Eigen::VectorXd>& iterate) {
  history_.push(minibatch_loss, minibatch_gradient, iterate);  // checks the sizes
  policy_observations(history_, relative_ ? &*relative_ : nullptr, observations_);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const ParameterGroup& group = groups_[g];
    auto group_steps = steps_.segment(group.offset, group.size);
    policies_[g]->step(observations_.middleRows(group.offset, group.size), memories_[g],
                       group_steps);
    if (!relative_) continue;
    // u -> -s_g exp(clamp(u, -L, L)) m / (sqrt(v) + eps) (relative_output.hpp)
    const double bound = relative_->max_log_factor;
    const RelativeGroup& constants = relative_->groups[g];
    auto m = first_moment_.segment(group.offset, group.size).array();
    auto v = second_moment_.segment(group.offset, group.size).array();
    group_steps.array() = -constants.direction.advance(
        relative_->base_rate * constants.size.factor(group.size) *
            group_steps.array().max(-bound).min(bound).exp(),
        minibatch_gradient.segment(group.offset, group.size).array(), m, v);
  }
  return steps_;
}

template class PredictedStepDescent<float>;
template class PredictedStepDescent<double>;

}  // namespace l2o
