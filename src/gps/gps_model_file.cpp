#include "gps/gps_model_file.hpp"

#include <stdexcept>
#include <string>

namespace l2o {
namespace {

void write_vector(const Hdf5Group& group, const std::string& name, const Eigen::VectorXd& v) {
  group.write(name, v.data(), {static_cast<std::uint64_t>(v.size())});
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
    const GpsPolicy& policy = policies[g];
    const PolicyConstants& constants = policy.constants();
    const Hdf5Group sub = group.create_group("group_" + std::to_string(g));
    sub.set_attribute("role", groups[g].role);
    sub.set_attribute("hidden_size", static_cast<std::int64_t>(policy.shape().hidden_size));
    sub.set_attribute("action_scale", constants.action_scale);
    write_vector(sub, "weights", policy.weights().values());
    write_vector(sub, "observation_scale", constants.normalisation.scale);
    write_vector(sub, "observation_offset", constants.normalisation.offset);
  }
}

}  // namespace l2o
