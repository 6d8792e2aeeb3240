#include "gps/files/group_diagnostics_io.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace l2o {
namespace {

template <class Field>
std::vector<double> doubles(std::span<const GroupDiagnostics> diagnostics, Field field) {
  std::vector<double> values;
  for (const auto& entry : diagnostics) values.push_back(static_cast<double>(field(entry)));
  return values;
}

template <class Field>
std::vector<std::int64_t> integers(std::span<const GroupDiagnostics> diagnostics, Field field) {
  std::vector<std::int64_t> values;
  for (const auto& entry : diagnostics) values.push_back(static_cast<std::int64_t>(field(entry)));
  return values;
}

void write_summaries(const Hdf5Group& group, const std::string& name,
                     std::span<const GroupDiagnostics> diagnostics,
                     StepSeriesSummary GroupDiagnostics::*member) {
  std::vector<double> table;  // row-major groups x 6
  for (const auto& entry : diagnostics) {
    const StepSeriesSummary& s = entry.*member;
    table.insert(table.end(), {s.min, s.median, s.mean, s.max, static_cast<double>(s.argmin),
                               static_cast<double>(s.argmax)});
  }
  group.write(name, table.data(), {diagnostics.size(), 6});
}

}  // namespace

Hdf5Group write_group_diagnostics(const Hdf5Group& parent, int iteration,
                                  std::span<const GroupDiagnostics> diagnostics) {
  for (const auto& entry : diagnostics) {
    if (entry.iteration != iteration) {
      throw std::invalid_argument("write_group_diagnostics: entry of group " +
                                  std::to_string(entry.group) + " is from iteration " +
                                  std::to_string(entry.iteration) + ", not " +
                                  std::to_string(iteration));
    }
  }
  char name[32];
  std::snprintf(name, sizeof name, "iteration_%04d", iteration);
  Hdf5Group group = parent.create_group(name);
  group.set_attribute("iteration", std::int64_t{iteration});
  group.set_attribute("summary_columns", std::string("min median mean max argmin argmax"));
  using D = GroupDiagnostics;
  group.write("group", integers(diagnostics, [](const D& d) { return d.group; }));
  group.write("dgd_iterations", integers(diagnostics, [](const D& d) { return d.dgd_iterations; }));
  group.write("dgd_converged", integers(diagnostics, [](const D& d) { return d.dgd_converged; }));
  group.write("constraint_slack",
              integers(diagnostics, [](const D& d) { return d.constraint_slack; }));
  group.write("eta", doubles(diagnostics, [](const D& d) { return d.eta; }));
  group.write("kl_bound", doubles(diagnostics, [](const D& d) { return d.kl_bound; }));
  group.write("trust_region_kl",
              doubles(diagnostics, [](const D& d) { return d.trust_region_kl; }));
  group.write("policy_kl_before",
              doubles(diagnostics, [](const D& d) { return d.policy_kl_before; }));
  group.write("policy_kl_after",
              doubles(diagnostics, [](const D& d) { return d.policy_kl_after; }));
  group.write("predicted_improvement",
              doubles(diagnostics, [](const D& d) { return d.predicted_improvement; }));
  group.write("actual_improvement",
              doubles(diagnostics, [](const D& d) { return d.actual_improvement; }));
  group.write("predicted_cost_improvement",
              doubles(diagnostics, [](const D& d) { return d.predicted_cost_improvement; }));
  group.write("model_cost", doubles(diagnostics, [](const D& d) { return d.model_cost; }));
  group.write("sample_cost", doubles(diagnostics, [](const D& d) { return d.sample_cost; }));
  group.write("step_multiplier",
              doubles(diagnostics, [](const D& d) { return d.step_multiplier; }));
  group.write("step_accepted", integers(diagnostics, [](const D& d) { return d.step_accepted; }));
  write_summaries(group, "gradient_r_squared", diagnostics, &D::gradient_r_squared);
  write_summaries(group, "cost_condition", diagnostics, &D::cost_condition);
  write_summaries(group, "dynamics_condition", diagnostics, &D::dynamics_condition);
  write_summaries(group, "linearisation_condition", diagnostics, &D::linearisation_condition);
  write_summaries(group, "curvature", diagnostics, &D::curvature);
  write_summaries(group, "own_step_response", diagnostics, &D::own_step_response);
  return group;
}

}  // namespace l2o
