#include "gps/es/es_checkpoint_file.hpp"

#include <limits>

#include "gps/es/es_model_file.hpp"
#include "gps/es/es_search.hpp"
#include "util/error.hpp"

namespace l2o {

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
}

EsCheckpoint read_es_checkpoint(const Hdf5Group& group, const EsController& start) {
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
  return checkpoint;
}

}  // namespace l2o
