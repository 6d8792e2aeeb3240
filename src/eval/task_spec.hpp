#pragma once
// A task definition (data set, preprocessing, architecture, minibatch size) and how to build it.
#include <cstdint>
#include <string>
#include <vector>

#include "objective/mlp_task.hpp"

namespace l2o {

/// Everything that defines a base-learner objective (paper §4).
struct TaskSpec {
  std::string dataset = "mnist";   ///< a name from dataset_names(), "h5:<file>" or "idx:<prefix>"
  int num_classes = 0;             ///< classes of a user data set (0: from its labels)
  int input_dim = 48;              ///< random projection dimension
  std::vector<int> hidden = {48};  ///< hidden layer sizes
  Activation activation = Activation::relu;
  int batch_size = 64;
  double l2 = 0.0;
  std::uint64_t projection_seed = 1;
  std::string data_dir;  ///< resolved data directory

  /// "mnist 48-48-10 batch 64" style label (the architecture needs the class count); a
  /// non-default activation follows the architecture ("mnist 48-48-10 tanh batch 64").
  [[nodiscard]] std::string label(int num_classes) const;
};

/// Loads the training split, projects it and builds the task. Throws InputError with the bytes
/// needed if the projection and projected data would not fit in the available memory.
MlpTask make_task(const TaskSpec& spec);

}  // namespace l2o
