#include "gps/files/policy_io.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace l2o {
namespace {

void write_vector(const Hdf5Group& group, const std::string& name, const Eigen::VectorXd& values) {
  group.write(name, values.data(), {static_cast<std::uint64_t>(values.size())});
}

// A 1-D double dataset of exactly `length` values; InputError naming it otherwise.
Eigen::VectorXd read_vector(const Hdf5Group& group, const std::string& name, Eigen::Index length) {
  Hdf5Shape shape;
  const std::vector<double> values = group.read_doubles(name, &shape);
  if (shape.size() != 1 || static_cast<Eigen::Index>(values.size()) != length) {
    throw InputError(group.where(name) + ": has " + std::to_string(values.size()) +
                     " values, expected a vector of " + std::to_string(length) +
                     " (rewrite the policy with this version of l2o)");
  }
  return Eigen::Map<const Eigen::VectorXd>(values.data(), length);
}

}  // namespace

template <class Scalar>
void write_policy_network(const Hdf5Group& group, const LstmPolicy<Scalar>& policy,
                          StoredWeights weights) {
  const PolicyConstants& constants = policy.constants();
  const Eigen::VectorXd& values = policy.weights().values();
  if (weights == StoredWeights::compute_precision) {
    const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> compute = values.template cast<Scalar>();
    group.write("weights", compute.data(), {static_cast<std::uint64_t>(compute.size())});
  } else {
    write_vector(group, "weights", values);
  }
  write_vector(group, "observation_scale", constants.normalisation.scale);
  write_vector(group, "observation_offset", constants.normalisation.offset);
  group.set_attribute("hidden_size", static_cast<std::int64_t>(policy.shape().hidden_size));
  group.set_attribute("action_scale", constants.action_scale);
}

template <class Scalar>
void write_policy(const Hdf5Group& group, const LstmPolicy<Scalar>& policy) {
  write_policy_network(group, policy);
  const AdamState adam = policy.optimizer_state();
  write_vector(group, "adam_first_moment", adam.first_moment);
  write_vector(group, "adam_second_moment", adam.second_moment);
  group.set_attribute("adam_step", static_cast<std::int64_t>(adam.iteration));
}

template <class Scalar>
LstmPolicy<Scalar> read_policy_network(const Hdf5Group& group, LstmPolicyParams params) {
  const std::int64_t hidden_size = group.integer_attribute("hidden_size");
  if (hidden_size < 1 || hidden_size > kMaxPolicyHiddenSize) {
    throw InputError(group.where("hidden_size") + ": must be in [1, " +
                     std::to_string(kMaxPolicyHiddenSize) + "], got " +
                     std::to_string(hidden_size) + "; the file is damaged");
  }
  params.hidden_size = hidden_size;
  PolicyConstants constants;
  constants.normalisation.scale = read_vector(group, "observation_scale", params.input_size);
  constants.normalisation.offset = read_vector(group, "observation_offset", params.input_size);
  constants.action_scale = group.double_attribute("action_scale");
  try {
    constants.check();
  } catch (const std::invalid_argument& e) {
    throw InputError(group.where("") + ": invalid policy constants: " + e.what());
  }
  const Eigen::VectorXd weights = read_vector(group, "weights", params.shape().parameter_count());
  // Seed and group are irrelevant: every weight is overwritten below.
  LstmPolicy<Scalar> policy(params, constants, 0, 0);
  policy.set_weights(weights);
  return policy;
}

template <class Scalar>
LstmPolicy<Scalar> read_policy(const Hdf5Group& group, LstmPolicyParams params) {
  LstmPolicy<Scalar> policy = read_policy_network<Scalar>(group, params);
  const Eigen::Index count = policy.shape().parameter_count();
  AdamState adam{read_vector(group, "adam_first_moment", count),
                 read_vector(group, "adam_second_moment", count),
                 group.integer_attribute("adam_step")};
  if (adam.iteration < 0) {
    throw InputError(group.where("adam_step") + ": must be >= 0, got " +
                     std::to_string(adam.iteration));
  }
  policy.restore_optimizer_state(adam);
  return policy;
}

template void write_policy<float>(const Hdf5Group&, const LstmPolicy<float>&);
template void write_policy<double>(const Hdf5Group&, const LstmPolicy<double>&);
template LstmPolicy<float> read_policy<float>(const Hdf5Group&, LstmPolicyParams);
template LstmPolicy<double> read_policy<double>(const Hdf5Group&, LstmPolicyParams);
template void write_policy_network<float>(const Hdf5Group&, const LstmPolicy<float>&,
                                          StoredWeights);
template void write_policy_network<double>(const Hdf5Group&, const LstmPolicy<double>&,
                                           StoredWeights);
template LstmPolicy<float> read_policy_network<float>(const Hdf5Group&, LstmPolicyParams);
template LstmPolicy<double> read_policy_network<double>(const Hdf5Group&, LstmPolicyParams);

}  // namespace l2o
