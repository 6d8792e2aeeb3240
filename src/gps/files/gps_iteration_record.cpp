#include "gps/files/gps_iteration_record.hpp"

#include <cstdint>
#include <vector>

#include "gps/files/group_diagnostics_io.hpp"

namespace l2o {
namespace {

// Row-major groups x updates table of one field of every policy update.
template <class T, class Field>
void write_update_table(const Hdf5Group& group, const std::string& name,
                        const std::vector<std::vector<PolicyUpdateReport>>& updates, Field field) {
  const std::size_t columns = updates.empty() ? 0 : updates.front().size();
  std::vector<T> table;
  for (const auto& per_group : updates) {
    if (per_group.size() != columns) {
      throw std::invalid_argument(
          "write_gps_iteration_record: groups made different numbers of "
          "policy updates");
    }
    for (const PolicyUpdateReport& report : per_group)
      table.push_back(static_cast<T>(field(report)));
  }
  group.write(name, table.data(), {updates.size(), columns});
}

}  // namespace

Hdf5Group write_gps_iteration_record(const Hdf5Group& parent, const GpsIterationSummary& summary) {
  Hdf5Group group = write_group_diagnostics(parent, summary.iteration, summary.groups);
  group.write("sample_costs", summary.sample_costs);
  group.write("evaluation_scores", summary.evaluation.rollout_scores);
  if (!summary.noise_free_costs.empty()) group.write("noise_free_costs", summary.noise_free_costs);
  write_update_table<double>(group, "policy_mean_loss", summary.policy_updates,
                             [](const PolicyUpdateReport& r) { return r.mean_loss; });
  write_update_table<std::int64_t>(group, "policy_clipped_steps", summary.policy_updates,
                                   [](const PolicyUpdateReport& r) { return r.clipped_steps; });
  group.set_attribute("mean_sample_cost", summary.mean_sample_cost);
  group.set_attribute("noise_free_cost", summary.noise_free_cost);
  group.set_attribute("evaluation_score", summary.evaluation.score);
  group.set_attribute("mean_initial_kl", summary.mean_initial_kl);
  group.set_attribute("mean_final_kl", summary.mean_final_kl);
  group.set_attribute("predicted_improvement", summary.predicted_improvement);
  group.set_attribute("realised_improvement", summary.realised_improvement);
  group.set_attribute("seconds_sampling", summary.seconds.sampling);
  group.set_attribute("seconds_fits", summary.seconds.fits);
  group.set_attribute("seconds_lqg", summary.seconds.lqg);
  group.set_attribute("seconds_policy_training", summary.seconds.policy_training);
  group.set_attribute("seconds_evaluation", summary.seconds.evaluation);
  group.set_attribute("seconds_communication", summary.seconds.communication);
  return group;
}

}  // namespace l2o
