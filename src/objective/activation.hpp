#pragma once
// The hidden units' nonlinearity of the base-learner MLP (`task.activation`). The paper's nets
// use ReLU (Li & Malik 2017 §4), the default; tanh and sigmoid let a user try other objectives.
#include <string>

namespace l2o {

enum class Activation { relu, tanh, sigmoid };

/// The activation called `name` ("relu", "tanh", "sigmoid"); throws InputError naming
/// task.activation otherwise.
Activation parse_activation(const std::string& name);

/// The name parse_activation() reads back.
std::string activation_name(Activation activation);

}  // namespace l2o
