#pragma once
// A task definition (data set, preprocessing, architecture, minibatch size) and how to build it.
#include <cstdint>
#include <string>
#include <vector>

#include "objective/mlp_task.hpp"

namespace l2o {

/// Everything that defines a base-learner objective (paper §4).
struct TaskSpec {
  std::string dataset = "mnist";   ///< a name from dataset_names()
  int input_dim = 48;              ///< random projection dimension
  std::vector<int> hidden = {48};  ///< hidden layer sizes
  int batch_size = 64;
  double l2 = 0.0;
  std::uint64_t projection_seed = 1;
  std::string data_dir;  ///< resolved data directory

  /// "mnist 48-48-10 batch 64" style label (the architecture needs the class count).
  [[nodiscard]] std::string label(int num_classes) const;
};

/// Loads the training split, projects it and builds the task.
MlpTask make_task(const TaskSpec& spec);

}  // namespace l2o
