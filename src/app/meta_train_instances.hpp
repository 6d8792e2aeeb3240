#pragma once
// The instances of the training task the ES path meta-trains on (issue 19 item 4,
// gps.es_task_variants): instance 0 is the [task] section; variant i adds instance i + 1, the
// [task] section with the variant's "task.<key>=<value>" assignments (separated by ";") applied,
// e.g. "task.batch_size=10; task.projection_seed=2" or "task.input_dim=100; task.hidden=[200]".
// ES pair j, imitation rollout k and evaluation rollout e run on instance j, k, e mod n, so every
// instance is seen equally often. Every instance needs the parameter groups of instance 0 (psi and
// pi act per group): other sizes are fine, another depth is not.
#include <string>
#include <vector>

#include "eval/task_spec.hpp"
#include "io/config.hpp"
#include "objective/mlp_task.hpp"

namespace l2o {

/// One instance: the task, and the cost set its meta-loss is measured on.
struct MetaTrainInstance {
  TaskSpec spec;
  MlpTask task;
  MlpTask cost_set;
};

/// The instances of `config` (data loaded), cost sets of meta_train.cost_examples drawn with
/// `seed`. Throws InputError naming gps.es_task_variants and the variant if an assignment is not a
/// task key or bad, or an instance's groups differ from instance 0's.
std::vector<MetaTrainInstance> meta_train_instances(const Config& config, std::uint64_t seed);

}  // namespace l2o
