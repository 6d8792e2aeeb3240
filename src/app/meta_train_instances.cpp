#include "app/meta_train_instances.hpp"

#include <sstream>

#include "eval/sweep.hpp"
#include "objective/cost_set.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The [task] section with `variant`'s assignments applied.
TaskSpec variant_spec(Config config, const std::string& variant) {
  std::stringstream assignments(variant);
  std::string assignment;
  while (std::getline(assignments, assignment, ';')) {
    assignment = trimmed(assignment);
    if (assignment.empty()) continue;
    if (!assignment.starts_with("task."))
      throw InputError("gps.es_task_variants: \"" + assignment + "\" in \"" + variant +
                       "\" is not a task.<key>=<value> assignment; a variant changes only the "
                       "[task] section");
    try {
      config.apply_override(assignment);
    } catch (const InputError& e) {
      throw InputError("gps.es_task_variants: variant \"" + variant + "\": " + e.what());
    }
  }
  return training_task_from_config(config);
}

bool same_groups(const Mlp& a, const Mlp& b) {
  if (a.groups().size() != b.groups().size()) return false;
  for (std::size_t g = 0; g < a.groups().size(); ++g)
    if (a.groups()[g].role != b.groups()[g].role) return false;
  return true;
}

}  // namespace

std::vector<MetaTrainInstance> meta_train_instances(const Config& config, std::uint64_t seed) {
  std::vector<TaskSpec> specs{training_task_from_config(config)};
  for (const std::string& variant : config.strings("gps.es_task_variants"))
    specs.push_back(variant_spec(config, variant));
  const auto examples = config.integer("meta_train.cost_examples");
  std::vector<MetaTrainInstance> instances;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    MlpTask task = make_task(specs[i]);
    if (i > 0 && !same_groups(task.mlp(), instances.front().task.mlp()))
      throw InputError("gps.es_task_variants: variant \"" +
                       config.strings("gps.es_task_variants")[i - 1] +
                       "\" gives a net of other parameter groups than the [task] section's; "
                       "psi acts per group: change the widths, not the depth");
    MlpTask cost_set = cost_set_task(task, examples, seed);
    instances.push_back({specs[i], std::move(task), std::move(cost_set)});
  }
  return instances;
}

}  // namespace l2o
