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

constexpr const char* kRelativeGroup = "relative";

void write_relative_output(const Hdf5Group& group, const RelativeOutput& relative) {
  group.set_attribute("base_rate", relative.base_rate);
  group.set_attribute("max_log_factor", relative.max_log_factor);
  group.set_attribute("horizon", static_cast<std::int64_t>(relative.horizon));
  std::vector<double> momentum, decay, weight, epsilon, exponent, reference;
  for (const RelativeGroup& g : relative.groups) {
    momentum.push_back(g.direction.momentum);
    decay.push_back(g.direction.decay);
    weight.push_back(g.direction.second_moment_weight);
    epsilon.push_back(g.direction.epsilon);
    exponent.push_back(g.size.exponent);
    reference.push_back(g.size.reference_size);
  }
  group.write("size_exponent", exponent);
  group.write("reference_size", reference);
  group.write("momentum", momentum);
  group.write("decay", decay);
  group.write("second_moment_weight", weight);
  group.write("epsilon", epsilon);
}

RelativeOutput read_relative_output(const Hdf5Group& group, std::size_t group_count) {
  RelativeOutput relative;
  relative.base_rate = group.double_attribute("base_rate");
  relative.max_log_factor = group.double_attribute("max_log_factor");
  const std::int64_t horizon = group.integer_attribute("horizon");
  if (horizon < 1 || horizon > 1000000000)
    throw InputError(group.where("horizon") + ": out of range; the model file is damaged");
  relative.horizon = static_cast<int>(horizon);
  const auto values = [&](const char* name) {
    std::vector<double> v = group.read_doubles(name);
    if (v.size() != group_count)
      throw InputError(group.where(name) + ": " + std::to_string(v.size()) + " values for " +
                       std::to_string(group_count) + " groups; the model file is damaged");
    return v;
  };
  const std::vector<double> momentum = values("momentum"), decay = values("decay"),
                            weight = values("second_moment_weight"), epsilon = values("epsilon");
  // Models before the size rule (issue 19 item 4) have none: a = 0, the factor 1.
  const bool sized = group.contains("size_exponent") || group.contains("reference_size");
  const std::vector<double> exponent =
      sized ? values("size_exponent") : std::vector<double>(group_count, 0.0);
  const std::vector<double> reference =
      sized ? values("reference_size") : std::vector<double>(group_count, 1.0);
  for (std::size_t g = 0; g < group_count; ++g)
    relative.groups.push_back(
        {{momentum[g], decay[g], weight[g], epsilon[g]}, {exponent[g], reference[g]}});
  try {
    relative.check(group_count);
  } catch (const std::invalid_argument& e) {
    throw InputError(group.where("") + ": " + e.what() + "; the model file is damaged");
  }
  return relative;
}

}  // namespace

void write_gps_model(const Hdf5Group& group, const std::vector<GpsPolicy>& policies,
                     FeatureSet features, const Mlp& mlp, const RelativeOutput* relative) {
  const auto& groups = mlp.groups();
  if (policies.size() != groups.size())
    throw std::invalid_argument("write_gps_model: " + std::to_string(policies.size()) +
                                " policies for " + std::to_string(groups.size()) + " groups");
  if (relative != nullptr) relative->check(groups.size());
  group.set_attribute("method", std::string(kPsdMethod));
  group.set_attribute("group_count", static_cast<std::int64_t>(groups.size()));
  group.set_attribute("features", feature_set_name(features));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Hdf5Group sub = group.create_group(group_name(g));
    sub.set_attribute("role", groups[g].role);
    write_policy_network(sub, policies[g], StoredWeights::compute_precision);
  }
  if (relative != nullptr) write_relative_output(group.create_group(kRelativeGroup), *relative);
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
  const std::int64_t group_count = group.integer_attribute("group_count");
  if (group_count < 1 || group_count > kMaxModelGroups)
    throw InputError(group.where("group_count") + ": " + std::to_string(group_count) +
                     " out of range [1, " + std::to_string(kMaxModelGroups) +
                     "]; the model file is damaged");
  if (group.contains(kRelativeGroup))
    model.relative = read_relative_output(group.open_group(kRelativeGroup),
                                          static_cast<std::size_t>(group_count));
  LstmPolicyParams policy_params = params;  // the trained observations
  policy_params.input_size = policy_input_dimension(model.features, model.relative.has_value());
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
