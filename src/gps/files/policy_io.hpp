#pragma once
// A group's policy in an HDF5 group (gps-spec.md §12 step 10 checkpoints, §15 the delivered
// optimizer): omega, the frozen normalisation beta/zeta and sigma_a, and Adam's state, all double,
// so a write/read round trip is bitwise exact and training resumes as if uninterrupted.
// Layout of the group:
//   weights             dataset, double [parameter_count], LstmParameters (PyTorch) layout
//                       (float in model files: StoredWeights::compute_precision)
//   observation_scale   dataset, double [3], beta
//   observation_offset  dataset, double [3], zeta
//   adam_first_moment   dataset, double [parameter_count]
//   adam_second_moment  dataset, double [parameter_count]
//   hidden_size         attribute, int64
//   action_scale        attribute, double, sigma_a
//   adam_step           attribute, int64, Adam's step count
// The first five entries (the network and its frozen constants) are also what the delivered model
// stores per group (gps_model_file.hpp), through write_policy_network / read_policy_network.
#include "gps/policy/lstm_policy.hpp"
#include "io/hdf5_file.hpp"

namespace l2o {

/// Largest hidden size a reader accepts: a bound against damaged files, far above §8.1's 128.
inline constexpr std::int64_t kMaxPolicyHiddenSize = 100000;

/// Writes `policy` into `group` (which must not already hold these names).
template <class Scalar>
void write_policy(const Hdf5Group& group, const LstmPolicy<Scalar>& policy);

/// How write_policy_network stores the weights.
enum class StoredWeights {
  exact,  ///< omega in double: a round trip is bitwise exact (checkpoints)
  /// omega in the policy's compute type Scalar (float for GPS): exactly the values the LSTM
  /// computes with, so test-time steps are bitwise unchanged, at half the size (model files)
  compute_precision,
};

/// Writes the policy without Adam's state: weights, observation_scale, observation_offset,
/// hidden_size, action_scale.
template <class Scalar>
void write_policy_network(const Hdf5Group& group, const LstmPolicy<Scalar>& policy,
                          StoredWeights weights = StoredWeights::exact);

/// Reads a policy written by write_policy. The hidden size comes from the file; Adam's
/// hyperparameters and the engine's work decomposition from `params`. Throws InputError naming
/// the file, path and dataset if one is missing or has the wrong length, or a value is invalid.
template <class Scalar>
LstmPolicy<Scalar> read_policy(const Hdf5Group& group, LstmPolicyParams params = {});

/// Reads what write_policy_network wrote (Adam's state, if present, is ignored: the policy's
/// Adam starts fresh). Throws InputError as read_policy does.
template <class Scalar>
LstmPolicy<Scalar> read_policy_network(const Hdf5Group& group, LstmPolicyParams params = {});

}  // namespace l2o
