#include "eval/evaluate_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "data/catalog.hpp"
#include "io/hdf5_file.hpp"
#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {

std::string EvaluationTask::name() const {
  std::string architecture = std::to_string(spec.input_dim);
  for (int h : spec.hidden) architecture += "-" + std::to_string(h);
  return spec.dataset + "_" + architecture + "_b" + std::to_string(spec.batch_size) + "_t" +
         std::to_string(iterations);
}

std::pair<int, std::vector<int>> parse_architecture(const std::string& text) {
  std::vector<int> sizes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('-', start), text.size());
    const std::string part = text.substr(start, end - start);
    if (part.empty() || part.size() > 6 ||
        part.find_first_not_of("0123456789") != std::string::npos || std::stoi(part) < 1)
      throw std::invalid_argument("\"" + text +
                                  "\" is not an architecture like \"48-48\" (input-hidden...)");
    sizes.push_back(std::stoi(part));
    start = end + 1;
  }
  if (sizes.size() < 2)
    throw std::invalid_argument("\"" + text +
                                "\" needs an input size and at least one hidden size");
  return {sizes.front(), std::vector<int>(sizes.begin() + 1, sizes.end())};
}

std::vector<EvaluationTask> evaluation_tasks(const Config& config) {
  std::vector<std::pair<int, std::vector<int>>> architectures;
  for (const auto& text : config.strings("evaluate.architectures")) {
    try {
      architectures.push_back(parse_architecture(text));
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("evaluate.architectures: ") + e.what());
    }
  }
  std::vector<EvaluationTask> tasks;
  for (const auto& dataset : config.strings("evaluate.datasets"))
    for (const auto& [input_dim, hidden] : architectures)
      for (const std::int64_t batch_size : config.integers("evaluate.batch_sizes"))
        for (const std::int64_t iterations : config.integers("evaluate.iterations")) {
          EvaluationTask task;
          task.spec.dataset = dataset;
          task.spec.input_dim = input_dim;
          task.spec.hidden = hidden;
          task.spec.batch_size = static_cast<int>(batch_size);
          task.spec.l2 = config.real("task.l2");
          task.spec.projection_seed =
              static_cast<std::uint64_t>(config.integer("task.projection_seed"));
          task.spec.data_dir = resolve_data_dir(config.string("data.dir"));
          task.iterations = iterations;
          tasks.push_back(std::move(task));
        }
  return tasks;
}

std::unique_ptr<Optimizer> EvaluatedOptimizer::make() const {
  return make_optimizer(name, hyperparameters);
}

std::vector<EvaluatedOptimizer> tuned_optimizers(const std::string& tuned_path,
                                                 const std::vector<std::string>& names) {
  const auto known = optimizer_names();
  for (const auto& name : names)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw InputError(
          "evaluate.optimizers: \"" + name +
          "\" is not a hand-designed optimizer (sgd, momentum, cg, lbfgs, adam, "
          "adagrad, rmsprop); learned optimizers from checkpoints are not supported yet");
  if (!std::filesystem::is_regular_file(tuned_path))
    throw InputError("evaluate.tuned = \"" + tuned_path +
                     "\": no such file; run `l2o tune` first or set evaluate.tuned");
  const Hdf5Group file = open_hdf5_for_reading(tuned_path);
  if (!file.contains("chosen"))
    throw InputError("evaluate.tuned = \"" + tuned_path +
                     "\": not an `l2o tune` output (no /chosen)");
  const Hdf5Group chosen = file.open_group("chosen");
  std::vector<EvaluatedOptimizer> optimizers;
  for (const auto& name : names) {
    if (!chosen.contains(name))
      throw InputError("evaluate.tuned = \"" + tuned_path + "\": no tuned setting for \"" + name +
                       "\"; tune it (tune.optimizers) or drop it from evaluate.optimizers");
    const Hdf5Group group = chosen.open_group(name);
    EvaluatedOptimizer entry{name, {}};
    // Every hyperparameter of the optimizer is stored, so defaults changed later cannot leak in.
    for (const auto& [field, default_value] : make_optimizer(name)->hyperparameters()) {
      (void)default_value;
      entry.hyperparameters[field] = group.double_attribute("optimizer." + field);
    }
    optimizers.push_back(std::move(entry));
  }
  return optimizers;
}

}  // namespace l2o
