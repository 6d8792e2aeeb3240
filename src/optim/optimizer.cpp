#include "optim/optimizer.hpp"

#include <stdexcept>

namespace l2o {

void Optimizer::start(Eigen::Index dimension) {
  if (dimension < 1) {
    throw std::invalid_argument(name() + ": start() needs dimension >= 1, got " +
                                std::to_string(dimension));
  }
  dimension_ = dimension;
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
