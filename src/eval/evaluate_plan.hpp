#pragma once
// What `l2o evaluate` runs: the tasks (data sets x architectures x minibatch sizes x iteration
// budgets, paper §4 Figs. 1-5) and the optimizers compared on them.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eval/task_spec.hpp"
#include "io/config.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// One evaluation task: an objective and its iteration budget.
struct EvaluationTask {
  TaskSpec spec;
  std::int64_t iterations = 400;

  /// Group name in results.h5: "cifar10_48-48_b64_t400".
  [[nodiscard]] std::string name() const;
};

/// Parses an architecture "input-hidden[-hidden...]" ("48-48", "100-200"); throws
/// std::invalid_argument unless it is two or more positive integers joined by '-'.
std::pair<int, std::vector<int>> parse_architecture(const std::string& text);

/// The product evaluate.datasets x evaluate.architectures x evaluate.batch_sizes x
/// evaluate.iterations (in that nesting order, the last fastest), with task.l2 and
/// task.projection_seed. Throws InputError naming evaluate.architectures if one is malformed.
std::vector<EvaluationTask> evaluation_tasks(const Config& config);

/// An optimizer of the comparison and how to build a fresh instance of it. Entries are
/// hand-designed optimizers with their tuned hyperparameters; a learned optimizer would be an
/// entry built from a checkpoint.
struct EvaluatedOptimizer {
  std::string name;                               ///< as listed in evaluate.optimizers
  std::map<std::string, double> hyperparameters;  ///< the full set, as chosen by `l2o tune`

  /// A new optimizer object (each rank builds its own).
  [[nodiscard]] std::unique_ptr<Optimizer> make() const;
};

/// The entries of `names` with the settings chosen in the tune output `tuned_path`
/// (/chosen/<name>, docs/hdf5-layout.md). Throws InputError naming evaluate.optimizers or
/// evaluate.tuned for an entry that is not a hand-designed optimizer, a missing file or a
/// missing choice.
std::vector<EvaluatedOptimizer> tuned_optimizers(const std::string& tuned_path,
                                                 const std::vector<std::string>& names);

}  // namespace l2o
