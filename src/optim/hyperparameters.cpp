#include "optim/hyperparameters.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace l2o {

void require(bool ok, std::string_view owner, std::string_view field, std::string_view rule,
             double value) {
  if (ok) return;
  std::ostringstream message;
  message.precision(17);
  message << owner << '.' << field << " must be " << rule << " (got " << value << ')';
  throw std::invalid_argument(message.str());
}

void assign_hyperparameter(double& field, double value, std::string_view /*owner*/,
                           std::string_view /*name*/) {
  field = value;
}

void assign_hyperparameter(int& field, double value, std::string_view owner,
                           std::string_view name) {
  require(std::trunc(value) == value && std::abs(value) <= std::numeric_limits<int>::max(), owner,
          name, "an integer", value);
  field = static_cast<int>(value);
}

void assign_hyperparameter(bool& field, double value, std::string_view owner,
                           std::string_view name) {
  require(value == 0.0 || value == 1.0, owner, name, "0 or 1", value);
  field = value == 1.0;
}

void reject_unknown_hyperparameters(const std::map<std::string, double>& values,
                                    const std::vector<std::string>& valid, std::string_view owner) {
  for (const auto& entry : values) {
    if (std::find(valid.begin(), valid.end(), entry.first) != valid.end()) continue;
    std::string message =
        std::string(owner) + ": unknown hyperparameter \"" + entry.first + "\"; valid:";
    for (const auto& name : valid) message += " " + name;
    throw std::invalid_argument(message);
  }
}

}  // namespace l2o
