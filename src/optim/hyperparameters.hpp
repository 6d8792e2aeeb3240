#pragma once
// Hyperparameters by name. Every parameter struct lists its fields once, in a static
// `for_each(self, visit)`; the factory (set fields from a name -> value map) and the output files
// (list name/value pairs) both go through it, so the two can never disagree.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace l2o {

/// Hyperparameters as (name, value) pairs in a fixed order; booleans as 0/1.
using HyperparameterList = std::vector<std::pair<std::string, double>>;

/// Throws std::invalid_argument "<owner>.<field> must be <rule> (got <value>)" unless `ok`.
void require(bool ok, std::string_view owner, std::string_view field, std::string_view rule,
             double value);

/// Sets a real-valued field.
void assign_hyperparameter(double& field, double value, std::string_view owner,
                           std::string_view name);
/// Sets an integer field; throws naming the field unless `value` is an integer in int's range.
void assign_hyperparameter(int& field, double value, std::string_view owner, std::string_view name);
/// Sets a flag; throws naming the field unless `value` is 0 or 1.
void assign_hyperparameter(bool& field, double value, std::string_view owner,
                           std::string_view name);

/// Throws std::invalid_argument naming the first key of `values` not in `valid`, and the valid
/// ones.
void reject_unknown_hyperparameters(const std::map<std::string, double>& values,
                                    const std::vector<std::string>& valid, std::string_view owner);

/// The fields of `parameters` as (name, value) pairs, in declaration order.
template <class Parameters>
HyperparameterList list_hyperparameters(const Parameters& parameters) {
  HyperparameterList list;
  Parameters::for_each(parameters, [&list](std::string_view name, const auto& field) {
    list.emplace_back(std::string(name), static_cast<double>(field));
  });
  return list;
}

/// Default parameters of `owner` with the named fields overridden by `values`; throws
/// std::invalid_argument on an unknown name (listing the valid ones) or an ill-typed value.
/// Range checks are left to Parameters::check().
template <class Parameters>
Parameters parameters_from_map(const std::map<std::string, double>& values,
                               std::string_view owner) {
  Parameters parameters;
  std::vector<std::string> valid;
  Parameters::for_each(parameters, [&](std::string_view name, auto& field) {
    valid.emplace_back(name);
    const auto found = values.find(valid.back());
    if (found != values.end()) assign_hyperparameter(field, found->second, owner, name);
  });
  reject_unknown_hyperparameters(values, valid, owner);
  return parameters;
}

}  // namespace l2o
