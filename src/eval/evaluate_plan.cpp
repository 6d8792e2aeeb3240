#include "eval/evaluate_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "data/catalog.hpp"
#include "eval/learned_optimizer.hpp"
#include "io/hdf5_file.hpp"
#include "optim/make_optimizer.hpp"
#include "util/error.hpp"

namespace l2o {

std::string EvaluationTask::name() const {
  std::string architecture = std::to_string(spec.input_dim);
  for (int h : spec.hidden) architecture += "-" + std::to_string(h);
  if (spec.activation != Activation::relu) architecture += "_" + activation_name(spec.activation);
  // An HDF5 group name: the path of a user data set ("h5:dir/x.h5") must not nest groups.
  std::string dataset = spec.dataset;
  std::replace(dataset.begin(), dataset.end(), '/', '_');
  return dataset + "_" + architecture + "_b" + std::to_string(spec.batch_size) + "_t" +
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
          task.spec.num_classes = static_cast<int>(config.integer("task.num_classes"));
          task.spec.activation = parse_activation(config.string("task.activation"));
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
  if (!model_path.empty()) return load_learned_optimizer(model_path);
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
          "adagrad, rmsprop); list learned optimizers' model files in evaluate.learned");
  if (names.empty()) return {};
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
    EvaluatedOptimizer entry{name, {}, {}};
    // Every hyperparameter of the optimizer is stored, so defaults changed later cannot leak in.
    for (const auto& [field, default_value] : make_optimizer(name)->hyperparameters()) {
      (void)default_value;
      entry.hyperparameters[field] = group.double_attribute("optimizer." + field);
    }
    // `l2o tune` stored values that passed the optimizer's checks; values that fail them now come
    // from a damaged or edited file: bad input (exit 2), not an internal error.
    try {
      (void)entry.make();
    } catch (const std::invalid_argument& e) {
      throw InputError("evaluate.tuned = \"" + tuned_path + "\": /chosen/" + name + ": " +
                       e.what() + "; re-run `l2o tune`");
    }
    optimizers.push_back(std::move(entry));
  }
  return optimizers;
}

std::vector<EvaluatedOptimizer> learned_optimizers(const std::vector<std::string>& paths,
                                                   const std::vector<EvaluationTask>& tasks) {
  std::vector<EvaluatedOptimizer> optimizers;
  for (const auto& path : paths) {
    std::unique_ptr<Optimizer> optimizer;
    try {
      optimizer = load_learned_optimizer(path);
    } catch (const InputError& e) {
      throw InputError(std::string("evaluate.learned: ") + e.what());
    }
    for (const EvaluationTask& task : tasks) {
      // Roles depend on the layer count only, so any class count gives the task's roles.
      const Mlp mlp(task.spec.input_dim, task.spec.hidden, 10);
      try {
        optimizer->check_groups(mlp.groups());
      } catch (const std::invalid_argument& e) {
        throw InputError("evaluate.learned: " + path + " on task " + task.name() + ": " + e.what());
      }
    }
    optimizers.push_back({optimizer->name(), {}, path});
  }
  return optimizers;
}

std::vector<EvaluatedOptimizer> combined_optimizers(std::vector<EvaluatedOptimizer> tuned,
                                                    std::vector<EvaluatedOptimizer> learned) {
  for (auto& entry : learned) {
    for (const auto& earlier : tuned)
      if (earlier.name == entry.name)
        throw InputError(
            "evaluate.learned: \"" + entry.model_path + "\" is a second \"" + entry.name +
            "\" optimizer" +
            (earlier.model_path.empty() ? "" : " (after \"" + earlier.model_path + "\")") +
            "; entries need distinct names, so compare one model per method and run");
    tuned.push_back(std::move(entry));
  }
  if (tuned.empty())
    throw InputError(
        "evaluate.optimizers and evaluate.learned are both empty; list at least one optimizer");
  return tuned;
}

}  // namespace l2o
