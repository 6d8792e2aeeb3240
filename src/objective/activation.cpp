#include "objective/activation.hpp"

#include "util/error.hpp"

namespace l2o {

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "tanh") return Activation::tanh;
  if (name == "sigmoid") return Activation::sigmoid;
  throw InputError("task.activation must be one of \"relu\", \"tanh\", \"sigmoid\", got \"" + name +
                   "\"");
}

std::string activation_name(Activation activation) {
  switch (activation) {
    case Activation::relu:
      return "relu";
    case Activation::tanh:
      return "tanh";
    case Activation::sigmoid:
      return "sigmoid";
  }
  return "";
}

}  // namespace l2o
