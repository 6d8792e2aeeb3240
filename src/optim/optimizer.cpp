#include "optim/optimizer.hpp"

#include <stdexcept>

namespace l2o {

void Optimizer::start(Eigen::Index dimension) {
  if (dimension < 1) {
    throw std::invalid_argument(name() + ": start() needs dimension >= 1, got " +
                                std::to_string(dimension));
  }
  dimension_ = dimension;
  groups_.clear();
  do_start(dimension);
}

void Optimizer::start(const std::vector<ParameterGroup>& groups) {
  Eigen::Index dimension = 0;
  for (const ParameterGroup& group : groups) {
    if (group.offset != dimension || group.size < 1) {
      throw std::invalid_argument(name() + ": start() needs groups that tile the parameters; \"" +
                                  group.role + "\" starts at " + std::to_string(group.offset) +
                                  " with size " + std::to_string(group.size) + ", expected " +
                                  std::to_string(dimension) + " and >= 1");
    }
    dimension += group.size;
  }
  if (dimension < 1) throw std::invalid_argument(name() + ": start() needs at least one group");
  check_groups(groups);
  dimension_ = dimension;
  groups_ = groups;
  do_start(dimension);
}

StepReport Optimizer::step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  if (dimension_ < 0) throw std::logic_error(name() + ": step() called before start()");
  if (x.size() != dimension_ || oracle.dimension() != dimension_) {
    throw std::invalid_argument(name() + ": started with dimension " + std::to_string(dimension_) +
                                " but x has " + std::to_string(x.size()) + " and the oracle " +
                                std::to_string(oracle.dimension()));
  }
  const std::int64_t evaluations_before = oracle.evaluations();
  const Iteration iteration = do_step(x, oracle);
  return {iteration.loss, oracle.evaluations() - evaluations_before, iteration.line_search_failed};
}

}  // namespace l2o
