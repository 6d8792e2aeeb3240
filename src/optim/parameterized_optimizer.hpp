#pragma once
// The part every hand-designed optimizer shares: it owns a checked parameter struct that also
// gives its name and its hyperparameter list (hyperparameters.hpp).
#include <string>
#include <utility>

#include "optim/hyperparameters.hpp"
#include "optim/optimizer.hpp"

namespace l2o {

/// Optimizer whose hyperparameters live in `P` (with P::optimizer, P::check(), P::for_each()).
template <class P>
class ParameterizedOptimizer : public Optimizer {
 public:
  using Parameters = P;  ///< the parameter struct

  /// Validates `parameters` (P::check() throws std::invalid_argument naming the bad field).
  explicit ParameterizedOptimizer(P parameters) : parameters_(std::move(parameters)) {
    parameters_.check();
  }
  [[nodiscard]] std::string name() const override { return std::string(P::optimizer); }
  [[nodiscard]] HyperparameterList hyperparameters() const override {
    return list_hyperparameters(parameters_);
  }
  /// The (checked) hyperparameters.
  [[nodiscard]] const P& parameters() const { return parameters_; }

 protected:
  P parameters_;  ///< fixed for the object's lifetime
};

}  // namespace l2o
