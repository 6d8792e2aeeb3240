#include "gps/es/es_controller.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "util/state_vector.hpp"

namespace l2o {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("es controller: " + what);
}

EsController member(double learning_rate, double weight, double decay, double epsilon,
                    const std::vector<double>& knot_times, std::size_t group_count) {
  EsController psi;
  psi.base_rate = learning_rate;
  psi.second_moment_weight = weight;
  psi.epsilon = epsilon;
  psi.knot_times = knot_times;
  psi.groups.assign(group_count,
                    EsGroupController{std::vector<double>(knot_times.size(), 0.0), 0.0, decay, {}});
  psi.check(group_count);
  return psi;
}

}  // namespace

void EsController::check(std::size_t group_count) const {
  require(std::isfinite(base_rate) && base_rate > 0.0, "base_rate must be finite and > 0");
  require(second_moment_weight > 0.0 && second_moment_weight <= 1.0,
          "second_moment_weight must be in (0, 1]");
  require(std::isfinite(epsilon) && epsilon > 0.0, "epsilon must be finite and > 0");
  require(!knot_times.empty() && knot_times.front() == 0.0, "knot_times must start at 0");
  for (std::size_t k = 1; k < knot_times.size(); ++k)
    require(knot_times[k] > knot_times[k - 1] && std::isfinite(knot_times[k]),
            "knot_times must be finite and increasing");
  require(groups.size() == group_count, "has " + std::to_string(groups.size()) +
                                            " groups, the net has " + std::to_string(group_count));
  for (const EsGroupController& g : groups) {
    require(g.log_rate.size() == knot_times.size(), "a group's log_rate must have one per knot");
    for (double l : g.log_rate) require(std::isfinite(l), "log_rate must be finite");
    require(std::isfinite(g.momentum) && std::isfinite(g.decay),
            "momentum and decay must be finite");
    require(g.size.valid(), "size_exponent must be finite and reference_size finite and > 0");
  }
}

double EsController::log_rate_at(std::size_t group, double t) const {
  const std::vector<double>& l = groups[group].log_rate;
  if (t <= 0.0 || l.size() == 1) return l.front();
  if (t >= knot_times.back()) return l.back();
  std::size_t k = 1;
  while (knot_times[k] < t) ++k;  // knot_times[k-1] < t <= knot_times[k]
  const double u0 = std::log1p(knot_times[k - 1]);
  const double u1 = std::log1p(knot_times[k]);
  const double f = (std::log1p(t) - u0) / (u1 - u0);
  return (1.0 - f) * l[k - 1] + f * l[k];  // exactly 0 when both knots are 0
}

std::vector<double> es_knot_times(int knots, int horizon) {
  if (knots < 1 || horizon < 1)
    throw std::invalid_argument("es_knot_times: needs knots >= 1 and horizon >= 1");
  std::vector<double> times(static_cast<std::size_t>(knots), 0.0);
  for (int k = 1; k < knots; ++k)
    times[static_cast<std::size_t>(k)] =
        std::expm1(std::log1p(static_cast<double>(horizon)) * k / (knots - 1));
  return times;
}

void set_reference_sizes(EsController& psi, const std::vector<ParameterGroup>& groups) {
  if (groups.size() != psi.groups.size())
    throw std::invalid_argument("set_reference_sizes: " + std::to_string(groups.size()) +
                                " groups for a controller of " + std::to_string(psi.groups.size()));
  for (std::size_t g = 0; g < groups.size(); ++g)
    psi.groups[g].size.reference_size = static_cast<double>(groups[g].size);
}

EsController adagrad_controller(double learning_rate, double epsilon,
                                const std::vector<double>& knot_times, std::size_t group_count) {
  return member(learning_rate, 1.0, 1.0, epsilon, knot_times, group_count);
}

EsController rmsprop_controller(double learning_rate, double alpha, double epsilon,
                                const std::vector<double>& knot_times, std::size_t group_count) {
  // w = 1 - alpha computed as rmsprop.cpp computes it, so the recurrence is the same expression.
  return member(learning_rate, 1.0 - alpha, alpha, epsilon, knot_times, group_count);
}

std::vector<MomentDirection> es_directions(const EsController& psi) {
  std::vector<MomentDirection> directions;
  for (const EsGroupController& g : psi.groups)
    directions.push_back({std::clamp(g.momentum, 0.0, kEsMaxMomentum),
                          std::clamp(g.decay, kEsMinDecay, 1.0), psi.second_moment_weight,
                          psi.epsilon});
  return directions;
}

EsOptimizer::EsOptimizer(EsController controller) : controller_(std::move(controller)) {
  controller_.check(controller_.groups.size());
  directions_ = es_directions(controller_);
}

HyperparameterList EsOptimizer::hyperparameters() const {
  HyperparameterList list{{"base_rate", controller_.base_rate},
                          {"second_moment_weight", controller_.second_moment_weight},
                          {"epsilon", controller_.epsilon}};
  for (std::size_t g = 0; g < controller_.groups.size(); ++g) {
    const std::string prefix = "g" + std::to_string(g) + ".";
    for (std::size_t k = 0; k < controller_.knot_times.size(); ++k)
      list.emplace_back(prefix + "log_rate" + std::to_string(k), controller_.groups[g].log_rate[k]);
    list.emplace_back(prefix + "momentum", directions_[g].momentum);
    list.emplace_back(prefix + "decay", directions_[g].decay);
    list.emplace_back(prefix + "size_exponent", controller_.groups[g].size.exponent);
  }
  return list;
}

void EsOptimizer::check_groups(const std::vector<ParameterGroup>& groups) const {
  if (groups.size() != controller_.groups.size())
    throw std::invalid_argument("es: the controller has " +
                                std::to_string(controller_.groups.size()) +
                                " groups, the net has " + std::to_string(groups.size()));
}

void EsOptimizer::do_start(Eigen::Index dimension) {
  if (groups().empty())
    throw std::invalid_argument("es: acts per parameter group; start it with start(groups)");
  gradient_.resize(dimension);
  size_factors_.clear();
  for (std::size_t g = 0; g < groups().size(); ++g)
    size_factors_.push_back(controller_.groups[g].size.factor(groups()[g].size));
  first_moment_.setZero(dimension);
  second_moment_.setZero(dimension);
  step_ = 0;
}

Eigen::VectorXd EsOptimizer::run_state() const {
  if (size_factors_.empty()) throw std::logic_error("es: run_state() before start()");
  StateWriter out;
  out.put(first_moment_);
  out.put(second_moment_);
  out.put(static_cast<double>(step_));
  return out.finish();
}

void EsOptimizer::restore_run_state(const Eigen::VectorXd& state) {
  if (size_factors_.empty()) throw std::logic_error("es: restore_run_state() before start()");
  StateReader in(state);
  in.get(first_moment_);
  in.get(second_moment_);
  step_ = static_cast<std::int64_t>(in.get());
  in.finish();
}

Optimizer::Iteration EsOptimizer::do_step(Eigen::Ref<Eigen::VectorXd> x, MinibatchOracle& oracle) {
  const double loss = oracle.loss_gradient(x, gradient_);
  for (std::size_t g = 0; g < groups().size(); ++g) {
    const ParameterGroup& group = groups()[g];
    const double rate = controller_.base_rate *
                        std::exp(controller_.log_rate_at(g, static_cast<double>(step_))) *
                        size_factors_[g];
    auto m = first_moment_.segment(group.offset, group.size).array();
    auto v = second_moment_.segment(group.offset, group.size).array();
    x.segment(group.offset, group.size).array() -=
        directions_[g].advance(rate, gradient_.segment(group.offset, group.size).array(), m, v);
  }
  ++step_;
  return {loss, false};
}

}  // namespace l2o
