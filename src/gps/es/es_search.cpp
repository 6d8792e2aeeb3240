#include "gps/es/es_search.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "util/random_stream.hpp"

namespace l2o {

void EsSearchParams::check() const {
  auto require = [](bool ok, const char* field, const char* rule) {
    if (!ok) throw std::invalid_argument(std::string("es.") + field + " must be " + rule);
  };
  require(pairs >= 1, "pairs", ">= 1");
  require(std::isfinite(sigma) && sigma > 0.0, "sigma", "finite and > 0");
  require(std::isfinite(learning_rate) && learning_rate > 0.0, "learning_rate", "finite and > 0");
  require(std::isfinite(trust_radius) && trust_radius > 0.0, "trust_radius", "finite and > 0");
  require(std::isfinite(momentum_scale) && momentum_scale > 0.0, "momentum_scale",
          "finite and > 0");
  require(std::isfinite(decay_scale) && decay_scale > 0.0, "decay_scale", "finite and > 0");
}

Eigen::Index es_search_dimension(const EsController& psi) {
  return static_cast<Eigen::Index>(psi.groups.size() * (psi.knot_times.size() + 3));
}

EsController es_member(const EsController& start, const Eigen::VectorXd& theta,
                       const EsSearchParams& params) {
  if (theta.size() != es_search_dimension(start))
    throw std::invalid_argument("es_member: theta has " + std::to_string(theta.size()) +
                                " entries, expected " + std::to_string(es_search_dimension(start)));
  EsController psi = start;
  Eigen::Index i = 0;
  for (EsGroupController& g : psi.groups) {
    for (double& l : g.log_rate) l += theta(i++);
    g.momentum += params.momentum_scale * theta(i++);
    g.decay += params.decay_scale * theta(i++);
    g.size.exponent += theta(i++);
  }
  return psi;
}

Eigen::VectorXd es_perturbation(std::uint64_t seed, int generation, int pair,
                                Eigen::Index dimension) {
  RandomStream stream(seed, "es-perturbation",
                      {static_cast<std::uint64_t>(generation), static_cast<std::uint64_t>(pair)});
  Eigen::VectorXd eps(dimension);
  for (Eigen::Index i = 0; i < dimension; ++i) eps(i) = stream.normal();
  return eps;
}

std::uint64_t es_rollout_seed(std::uint64_t seed, int generation, int pair) {
  return RandomStream(seed, "es-rollout",
                      {static_cast<std::uint64_t>(generation), static_cast<std::uint64_t>(pair)})
      .next_u64();
}

EsUpdate es_update(const Eigen::VectorXd& theta, const Eigen::MatrixXd& perturbations,
                   const std::vector<double>& plus, const std::vector<double>& minus,
                   const EsSearchParams& params) {
  const auto n = static_cast<Eigen::Index>(plus.size());
  if (n < 1 || static_cast<Eigen::Index>(minus.size()) != n || perturbations.cols() != n ||
      perturbations.rows() != theta.size())
    throw std::invalid_argument("es_update: perturbations, plus and minus do not match");
  EsUpdate update;
  double sum_costs = 0.0;
  double sum_squares = 0.0;
  std::vector<double> differences;  // d_j, relative to the pair's mean cost
  for (Eigen::Index j = 0; j < n; ++j) {
    const double p = plus[static_cast<std::size_t>(j)];
    const double m = minus[static_cast<std::size_t>(j)];
    if (!(p > 0.0 && m > 0.0 && std::isfinite(p) && std::isfinite(m)))
      throw std::invalid_argument("es_update: the meta-loss must be finite and > 0");
    differences.push_back((p - m) / (0.5 * (p + m)));
    sum_costs += p + m;
    sum_squares += differences.back() * differences.back();
  }
  update.mean_cost = sum_costs / static_cast<double>(2 * n);
  update.theta = theta;
  if (sum_squares == 0.0) return update;
  const double rms = std::sqrt(sum_squares / static_cast<double>(n));
  Eigen::VectorXd direction = Eigen::VectorXd::Zero(theta.size());
  for (Eigen::Index j = 0; j < n; ++j)
    direction += (differences[static_cast<std::size_t>(j)] / rms) * perturbations.col(j);
  Eigen::VectorXd step = (-params.learning_rate / static_cast<double>(n)) * direction;
  const double norm = step.norm();
  if (norm > params.trust_radius) {
    step *= params.trust_radius / norm;
    update.clipped = true;
  }
  update.step_norm = step.norm();
  update.theta = theta + step;
  return update;
}

}  // namespace l2o
