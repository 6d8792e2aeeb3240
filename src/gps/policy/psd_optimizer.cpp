#include "gps/policy/psd_optimizer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace l2o {
namespace {

// Same roles, offsets and sizes: a run on `a` can be reset for `b`.
bool same_layout(const std::vector<ParameterGroup>& a, const std::vector<ParameterGroup>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t g = 0; g < a.size(); ++g)
    if (a[g].role != b[g].role || a[g].offset != b[g].offset || a[g].size != b[g].size)
      return false;
  return true;
}

// Layer k of a role "layer<k>.weights" / "layer<k>.biases" (ParameterGroup::role), or 0.
int role_layer(const std::string& role) {
  const std::string prefix = "layer";
  if (role.compare(0, prefix.size(), prefix) != 0) return 0;
  int layer = 0;
  for (std::size_t i = prefix.size(); i < role.size() && role[i] != '.'; ++i) {
    if (role[i] < '0' || role[i] > '9' || layer > 100000) return 0;
    layer = 10 * layer + (role[i] - '0');
  }
  return layer;
}

// Number of layers of the net `groups` make up.
int layer_count(const std::vector<ParameterGroup>& groups) {
  int layers = 0;
  for (const ParameterGroup& group : groups) layers = std::max(layers, group.layer);
  return layers;
}

}  // namespace

PsdOptimizer::PsdOptimizer(GpsModel model) : model_(std::move(model)) {
  if (model_.groups.empty()) throw std::invalid_argument("psd: the model has no groups");
  for (std::size_t g = 0; g < model_.groups.size(); ++g)
    for (std::size_t earlier = 0; earlier < g; ++earlier)
      if (model_.groups[earlier].role == model_.groups[g].role)
        throw std::invalid_argument("psd: two model groups have the role \"" +
                                    model_.groups[g].role + "\"");
  for (const GpsModelGroup& group : model_.groups)
    model_layers_ = std::max(model_layers_, role_layer(group.role));
}

std::string PsdOptimizer::name() const {
  // A relative output is the delivered PSD (issue 19), whatever it reads.
  const std::string method = kPsdMethod;
  return model_.features == FeatureSet::paper || model_.relative
             ? method
             : method + "_" + feature_set_name(model_.features);
}

HyperparameterList PsdOptimizer::hyperparameters() const {
  HyperparameterList list{
      {"scale_free_features", model_.features == FeatureSet::scale_free ? 1.0 : 0.0}};
  for (const GpsModelGroup& group : model_.groups) {
    list.emplace_back(group.role + ".hidden_size",
                      static_cast<double>(group.policy.shape().hidden_size));
    list.emplace_back(group.role + ".action_scale", group.policy.constants().action_scale);
  }
  if (model_.relative) {
    list.emplace_back("relative.base_rate", model_.relative->base_rate);
    list.emplace_back("relative.max_log_factor", model_.relative->max_log_factor);
  }
  return list;
}

std::string PsdOptimizer::policy_role(const ParameterGroup& group, int net_layers) const {
  // The first and the last layer keep their own policies. A hidden-to-hidden layer takes the
  // model's hidden-layer policy at its depth, the deepest one beyond (for the paper's 2-layer
  // models: the first layer's): like that layer it feeds a ReLU and receives its gradient through
  // the layers above, whereas the last layer's policy only ever moved the softmax layer, the one
  // layer that sees the loss gradient directly. A net as deep as the model keeps its roles.
  const int layer = group.layer == net_layers
                        ? model_layers_
                        : std::clamp(group.layer, 1, std::max(1, model_layers_ - 1));
  return "layer" + std::to_string(layer) + (group.is_bias ? ".biases" : ".weights");
}

std::size_t PsdOptimizer::role_index(const std::string& role) const {
  std::size_t index = 0;
  while (index < model_.groups.size() && model_.groups[index].role != role) ++index;
  return index;
}

void PsdOptimizer::check_groups(const std::vector<ParameterGroup>& groups) const {
  const int net_layers = layer_count(groups);
  for (const ParameterGroup& group : groups) {
    const std::string role = policy_role(group, net_layers);
    if (role_index(role) < model_.groups.size()) continue;
    std::string known;
    for (const GpsModelGroup& model_group : model_.groups)
      known += (known.empty() ? "" : ", ") + model_group.role;
    throw std::invalid_argument("psd: the model has no policy for the role \"" + role + "\"" +
                                (role == group.role ? "" : " (for \"" + group.role + "\")") +
                                " (it has " + known + "); the model file is incomplete");
  }
}

void PsdOptimizer::do_start(Eigen::Index dimension) {
  const std::vector<ParameterGroup>& layout = groups();
  if (layout.empty())
    throw std::invalid_argument(
        "psd: acts per parameter group; start it with the groups (start(groups)), not only the "
        "dimension");
  gradient_.resize(dimension);
  if (run_ && same_layout(run_->groups(), layout)) {
    run_->reset();
    return;
  }
  // Policies by role (check_groups() has found one for each); a policy serves one run at a time,
  // one group after the other, so groups that share a policy share its workspace safely.
  // A relative output's group constants follow the policies' roles.
  const int net_layers = layer_count(layout);
  std::vector<GpsPolicy*> policies;
  std::optional<RelativeOutput> relative = model_.relative;
  if (relative) relative->groups.clear();
  for (const ParameterGroup& group : layout) {
    const std::size_t index = role_index(policy_role(group, net_layers));
    policies.push_back(&model_.groups[index].policy);
    if (relative) relative->groups.push_back(model_.relative->groups[index]);
  }
  run_.reset();
  run_.emplace(layout, std::move(policies), model_.features, std::move(relative));
}

Eigen::VectorXd PsdOptimizer::run_state() const {
  if (!run_) throw std::logic_error("psd: run_state() before start()");
  StateWriter out;
  run_->save(out);
  return out.finish();
}

void PsdOptimizer::restore_run_state(const Eigen::VectorXd& state) {
  if (!run_) throw std::logic_error("psd: restore_run_state() before start()");
  StateReader in(state);
  run_->restore(in);
  in.finish();
}

Optimizer::Iteration PsdOptimizer::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  x += run_->steps(loss, gradient_, x);  // §15 step 2
  return {loss, false};
}

}  // namespace l2o
