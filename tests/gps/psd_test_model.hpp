#pragma once
// GPS models for the test-time tests (gps-spec.md §15): one random policy per group of a net,
// with group-specific normalisations and action scales so that a policy applied to the wrong group
// changes the steps, and the model file written by write_gps_model.
#include <cstdint>
#include <string>
#include <vector>

#include "gps/files/gps_model_file.hpp"
#include "gps/test_policy_fixtures.hpp"
#include "io/hdf5_file.hpp"
#include "objective/mlp.hpp"

namespace l2o::test {

/// One policy per group of `mlp`: `hidden` cells, every weight N(0, 0.3^2) from seed + g, the
/// normalisation of test_policy_fixtures' synthetic observations (seed + g), sigma_a = 1e-3 (g +
/// 1).
template <class Scalar>
std::vector<LstmPolicy<Scalar>> test_gps_policies(const Mlp& mlp, Eigen::Index hidden,
                                                  std::uint64_t seed) {
  std::vector<LstmPolicy<Scalar>> policies;
  for (std::size_t g = 0; g < mlp.groups().size(); ++g) {
    PolicyConstants constants = constants_from(raw_observations(50, 4, seed + g));
    constants.action_scale = 1e-3 * static_cast<double>(g + 1);
    policies.push_back(random_policy<Scalar>(hidden, constants, 0.3, seed + g));
  }
  return policies;
}

/// A model file at `path` holding /model as written by write_gps_model.
inline void write_test_model(const std::string& path, const std::vector<GpsPolicy>& policies,
                             FeatureSet features, const Mlp& mlp) {
  AtomicHdf5File file(path);
  write_gps_model(file.root().create_group("model"), policies, features, mlp);
  file.commit();
}

}  // namespace l2o::test
