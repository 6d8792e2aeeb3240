#include "gps/es/es_checkpoint_file.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "gps/es/es_model_file.hpp"
#include "gps/es/es_search.hpp"
#include "gps/files/policy_io.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

std::string policy_name(std::size_t g) {
  return "policy_" + std::to_string(g);
}

void write_imitation(const Hdf5Group& group, const ImitationCheckpoint& imitation) {
  group.set_attribute("round", static_cast<std::int64_t>(imitation.round));
  group.set_attribute("policy_count", static_cast<std::int64_t>(imitation.policies.size()));
  group.write("psi_cost", imitation.psi_cost);
  group.write("policy_loss", imitation.policy_loss);
  group.write("pi_cost", imitation.pi_cost);
  group.write("gap", imitation.gap);
  for (std::size_t g = 0; g < imitation.policies.size(); ++g)
    write_policy(group.create_group(policy_name(g)), imitation.policies[g]);
}

ImitationCheckpoint read_imitation(const Hdf5Group& group, std::size_t group_count,
                                   const LstmPolicyParams& policy) {
  ImitationCheckpoint imitation;
  const std::int64_t round = group.integer_attribute("round");
  imitation.psi_cost = group.read_doubles("psi_cost");
  imitation.policy_loss = group.read_doubles("policy_loss");
  imitation.pi_cost = group.read_doubles("pi_cost");
  imitation.gap = group.read_doubles("gap");
  const auto rounds = static_cast<std::size_t>(std::max<std::int64_t>(round, 0));
  if (round < 1 || round > std::numeric_limits<int>::max() ||
      imitation.policy_loss.size() != rounds || imitation.pi_cost.size() != rounds ||
      imitation.gap.size() != rounds || imitation.psi_cost.empty() ||
      group.integer_attribute("policy_count") != static_cast<std::int64_t>(group_count))
    throw InputError(group.where("round") + ": does not match the imitation history" +
                     kDamagedCheckpoint);
  imitation.round = static_cast<int>(round);
  for (std::size_t g = 0; g < group_count; ++g)
    imitation.policies.push_back(read_policy<float>(group.open_group(policy_name(g)), policy));
  return imitation;
}

}  // namespace

void write_es_checkpoint(const Hdf5Group& group, const EsCheckpoint& checkpoint) {
  group.set_attribute("method", std::string("gps"));
  group.set_attribute("local_optimizer", std::string(kEsLocalOptimizer));
  group.set_attribute("generation", static_cast<std::int64_t>(checkpoint.generation));
  group.set_attribute("seed", static_cast<std::int64_t>(checkpoint.seed));
  write_es_controller(group.create_group("start"), checkpoint.start);
  group.write("theta", checkpoint.theta.data(),
              {static_cast<std::uint64_t>(checkpoint.theta.size())});
  group.write("mean_cost", checkpoint.mean_cost);
  group.write("step_norm", checkpoint.step_norm);
  if (checkpoint.imitation) write_imitation(group.create_group("imitation"), *checkpoint.imitation);
}

EsCheckpoint read_es_checkpoint(const Hdf5Group& group, const EsController& start,
                                const LstmPolicyParams& policy) {
  if (group.string_attribute("local_optimizer") != kEsLocalOptimizer)
    throw InputError(group.where("") +
                     ": not a checkpoint of gps.local_optimizer = \"es\"; resume it with its own "
                     "config (/meta/config)");
  EsCheckpoint checkpoint;
  checkpoint.seed = static_cast<std::uint64_t>(group.integer_attribute("seed"));
  const std::int64_t generation = group.integer_attribute("generation");
  checkpoint.start = read_es_controller(group.open_group("start"));
  const std::vector<double> theta = group.read_doubles("theta");
  checkpoint.mean_cost = group.read_doubles("mean_cost");
  checkpoint.step_norm = group.read_doubles("step_norm");
  if (generation < 0 || generation > std::numeric_limits<int>::max() ||
      checkpoint.mean_cost.size() != static_cast<std::size_t>(generation) ||
      checkpoint.step_norm.size() != static_cast<std::size_t>(generation))
    throw InputError(group.where("generation") + ": does not match the history's length" +
                     kDamagedCheckpoint);
  checkpoint.generation = static_cast<int>(generation);
  if (static_cast<Eigen::Index>(theta.size()) != es_search_dimension(start))
    throw InputError(group.where("theta") + ": " + std::to_string(theta.size()) +
                     " entries, the config's controller has " +
                     std::to_string(es_search_dimension(start)) + kDamagedCheckpoint);
  checkpoint.theta =
      Eigen::Map<const Eigen::VectorXd>(theta.data(), static_cast<Eigen::Index>(theta.size()));
  if (!checkpoint.theta.allFinite())
    throw InputError(group.where("theta") + ": non-finite entries" + kDamagedCheckpoint);
  if (group.contains("imitation"))
    checkpoint.imitation =
        read_imitation(group.open_group("imitation"), start.groups.size(), policy);
  return checkpoint;
}

}  // namespace l2o
