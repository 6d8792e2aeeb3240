#pragma once
// Builds any hand-designed optimizer from its name and a name -> value map of hyperparameters, as
// the tuning sweep and the config files give them.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "optim/optimizer.hpp"

namespace l2o {

/// The optimizer named `name` ("sgd", "momentum", "cg", "lbfgs", "adam", "adagrad", "rmsprop") with
/// default hyperparameters overridden by `hyperparameters` (flags as 0/1, integers as whole
/// numbers). Throws std::invalid_argument naming an unknown optimizer or hyperparameter (and
/// listing the valid ones), or the field that fails its range check.
std::unique_ptr<Optimizer> make_optimizer(
    std::string_view name, const std::map<std::string, double>& hyperparameters = {});

/// Names accepted by make_optimizer(), in the paper's order (§4).
std::vector<std::string> optimizer_names();

}  // namespace l2o
