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

/// An optimizer of the comparison and how to build a fresh instance of it: a hand-designed
/// optimizer with its tuned hyperparameters, or a learned optimizer from its model file.
struct EvaluatedOptimizer {
  std::string name;                               ///< group name: optimizer or method name
  std::map<std::string, double> hyperparameters;  ///< hand-designed: the full tuned set
  std::string model_path;                         ///< learned: the model file (else empty)

  /// A new optimizer object (each rank builds its own).
  [[nodiscard]] std::unique_ptr<Optimizer> make() const;
};

/// The entries of `names` with the settings chosen in the tune output `tuned_path`
/// (/chosen/<name>, docs/hdf5-layout.md); nothing is read if `names` is empty. Throws InputError
/// naming evaluate.optimizers or evaluate.tuned for an entry that is not a hand-designed
/// optimizer, a missing file or a missing choice.
std::vector<EvaluatedOptimizer> tuned_optimizers(const std::string& tuned_path,
                                                 const std::vector<std::string>& names);

/// The learned optimizers of the model files `paths` (evaluate.learned), each named after its
/// method. Throws InputError naming evaluate.learned for a file that does not load or a model
/// that cannot run on the net of one of `tasks` (a GPS model lacking a policy for one of its
/// roles, gps-spec.md §15), before any run starts.
std::vector<EvaluatedOptimizer> learned_optimizers(const std::vector<std::string>& paths,
                                                   const std::vector<EvaluationTask>& tasks);

/// Hand-designed entries followed by learned ones; throws InputError if the list is empty or two
/// entries share a name (two models of one method: compare them in separate runs).
std::vector<EvaluatedOptimizer> combined_optimizers(std::vector<EvaluatedOptimizer> tuned,
                                                    std::vector<EvaluatedOptimizer> learned);

}  // namespace l2o
