#include "gps/files/gps_model_file.hpp"

#include <stdexcept>
#include <string>

#include "gps/files/policy_io.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

std::string group_name(std::size_t g) {
  return "group_" + std::to_string(g);
}

}  // namespace

void write_gps_model(const Hdf5Group& group, const std::vector<GpsPolicy>& policies,
                     FeatureSet features, const Mlp& mlp) {
  const auto& groups = mlp.groups();
  if (policies.size() != groups.size())
    throw std::invalid_argument("write_gps_model: " + std::to_string(policies.size()) +
                                " policies for " + std::to_string(groups.size()) + " groups");
  group.set_attribute("method", std::string(kPsdMethod));
  group.set_attribute("group_count", static_cast<std::int64_t>(groups.size()));
  group.set_attribute("features", feature_set_name(features));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Hdf5Group sub = group.create_group(group_name(g));
    sub.set_attribute("role", groups[g].role);
    write_policy_network(sub, policies[g], StoredWeights::compute_precision);
  }
}

GpsModel read_gps_model(const Hdf5Group& group, const LstmPolicyParams& params) {
  const std::string method = group.string_attribute("method");
  if (method != kPsdMethod)
    throw InputError(group.where("method") + ": \"" + method + "\", expected \"" + kPsdMethod +
                     "\"; not a GPS model");
  GpsModel model;
  const std::string features = group.string_attribute("features");
  try {
    model.features = parse_feature_set(features);
  } catch (const std::invalid_argument& e) {
    throw InputError(group.where("features") + ": " + e.what() +
                     "; the model is damaged or from a newer l2o");
  }
  LstmPolicyParams policy_params = params;
  policy_params.input_size = observation_dimension(model.features);  // the trained observations
  const std::int64_t group_count = group.integer_attribute("group_count");
  if (group_count < 1 || group_count > kMaxModelGroups)
    throw InputError(group.where("group_count") + ": " + std::to_string(group_count) +
                     " out of range [1, " + std::to_string(kMaxModelGroups) +
                     "]; the model file is damaged");
  for (std::size_t g = 0; g < static_cast<std::size_t>(group_count); ++g) {
    const Hdf5Group sub = group.open_group(group_name(g));
    std::string role = sub.string_attribute("role");
    if (role.empty()) throw InputError(sub.where("role") + ": empty; the model file is damaged");
    for (const GpsModelGroup& earlier : model.groups)
      if (earlier.role == role)
        throw InputError(sub.where("role") + ": \"" + role +
                         "\" repeats an earlier group's role; the model file is damaged");
    GpsPolicy policy = read_policy_network<float>(sub, policy_params);
    if (!policy.weights().values().allFinite())
      throw InputError(sub.where("weights") + ": non-finite values; the model file is damaged");
    model.groups.push_back({std::move(role), std::move(policy)});
  }
  return model;
}

}  // namespace l2o
