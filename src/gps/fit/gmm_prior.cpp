#include "gps/fit/gmm_prior.hpp"

#include <omp.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "gps/features/features.hpp"

namespace l2o {

namespace {

// gps-spec.md §5.4 ([GPS] `DynamicsPriorGMM`, `GMM.update`).
constexpr int kMaxClusters = 20;
constexpr Eigen::Index kPointsPerCluster = 20;
constexpr Eigen::Index kMaxPoints = 20000;
constexpr int kMaxIterations = 100;
constexpr double kRelativeTolerance = 1e-5;
constexpr double kInitialRegularisation = 2e-6;
constexpr double kStepRegularisation = 1e-6;
constexpr double kSmallClusterMass = 1e-4;  // times 1/K

// log sum_i exp(v_i), stable; -inf for an all -inf input.
template <class Values>
double log_sum_exp(const Eigen::DenseBase<Values>& values) {
  const double max = values.maxCoeff();
  if (!std::isfinite(max)) return max;
  return max + std::log((values.derived().array() - max).exp().sum());
}

// K x Q matrix of log w_k + log N(y_i | mu_k, Sigma_k) for the points y_i (columns of `columns`).
// Parallel over clusters with single-threaded Eigen inside, so every entry is computed as with
// one thread.
Eigen::MatrixXd log_joint(const GaussianMixture& mixture, const Eigen::MatrixXd& columns) {
  const int clusters = mixture.clusters();
  const double dim = static_cast<double>(columns.rows());
  Eigen::MatrixXd result(clusters, columns.cols());
  int failed_cluster = clusters;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < clusters; ++k) {
    omp_set_num_threads(1);
    const Eigen::LLT<Eigen::MatrixXd> llt(mixture.covariances[static_cast<std::size_t>(k)]);
    if (llt.info() != Eigen::Success) {
#pragma omp critical(l2o_gmm_failure)
      failed_cluster = std::min(failed_cluster, k);
      continue;
    }
    Eigen::MatrixXd whitened = columns.colwise() - mixture.means[static_cast<std::size_t>(k)];
    llt.matrixL().solveInPlace(whitened);
    const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    const double constant =
        std::log(mixture.weights(k)) - 0.5 * (dim * std::log(2.0 * std::numbers::pi) + log_det);
    result.row(k) = (constant - 0.5 * whitened.colwise().squaredNorm().array()).matrix();
  }
  if (failed_cluster < clusters) {
    throw std::domain_error("Gaussian mixture: covariance of cluster " +
                            std::to_string(failed_cluster) + " is not positive definite");
  }
  return result;
}

// Turns log_joint into log p(k | y_i) (per column, log-sum-exp) and returns sum_i log p(y_i),
// summed in point order.
double normalise_columns(Eigen::MatrixXd& log_values) {
  double log_likelihood = 0.0;
  for (Eigen::Index i = 0; i < log_values.cols(); ++i) {
    const double log_evidence = log_sum_exp(log_values.col(i));
    log_values.col(i).array() -= log_evidence;
    log_likelihood += log_evidence;
  }
  return log_likelihood;
}

// Weighted mean and covariance sum_i w_i (y_i - mu)(y_i - mu)^T + ridge I, weights summing to 1.
void weighted_moments(const Eigen::MatrixXd& columns, const Eigen::VectorXd& weights, double ridge,
                      Eigen::VectorXd& mean, Eigen::MatrixXd& covariance) {
  mean.noalias() = columns * weights;
  const Eigen::MatrixXd scaled =
      (columns.colwise() - mean) * weights.cwiseSqrt().asDiagonal();  // D x Q
  Eigen::MatrixXd lower = Eigen::MatrixXd::Zero(columns.rows(), columns.rows());
  lower.selfadjointView<Eigen::Lower>().rankUpdate(scaled);
  covariance = lower.selfadjointView<Eigen::Lower>();
  covariance.diagonal().array() += ridge;
}

// Random hard assignment; each cluster starts at its points' moments + 2e-6 I (an empty
// cluster at all points' moments) with weight 1/K.
GaussianMixture initial_mixture(const Eigen::MatrixXd& columns, int clusters,
                                RandomStream& random) {
  const Eigen::Index points = columns.cols();
  std::vector<std::vector<Eigen::Index>> members(static_cast<std::size_t>(clusters));
  for (Eigen::Index i = 0; i < points; ++i) {
    members[random.uniform_index(static_cast<std::uint64_t>(clusters))].push_back(i);
  }
  GaussianMixture mixture;
  mixture.weights = Eigen::VectorXd::Constant(clusters, 1.0 / clusters);
  mixture.means.resize(static_cast<std::size_t>(clusters));
  mixture.covariances.resize(static_cast<std::size_t>(clusters));
  for (std::size_t k = 0; k < members.size(); ++k) {
    const Eigen::MatrixXd cluster =
        members[k].empty() ? columns : Eigen::MatrixXd(columns(Eigen::all, members[k]));
    const Eigen::VectorXd uniform =
        Eigen::VectorXd::Constant(cluster.cols(), 1.0 / static_cast<double>(cluster.cols()));
    weighted_moments(cluster, uniform, kInitialRegularisation, mixture.means[k],
                     mixture.covariances[k]);
  }
  return mixture;
}

// M-step from log p(k | y_i) (K x Q), as [GPS] `GMM.update`: weights from the summed
// responsibilities; clusters lighter than 1e-4 / K refitted with uniform responsibilities;
// covariances + 1e-6 I.
void maximisation_step(const Eigen::MatrixXd& columns, const Eigen::MatrixXd& log_responsibilities,
                       GaussianMixture& mixture) {
  const int clusters = mixture.clusters();
  const Eigen::Index points = columns.cols();
  Eigen::VectorXd log_mass(clusters);
  for (int k = 0; k < clusters; ++k) log_mass(k) = log_sum_exp(log_responsibilities.row(k));
  mixture.weights = (log_mass.array() - log_sum_exp(log_mass)).exp().matrix();
  const double small_mass = kSmallClusterMass / clusters;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < clusters; ++k) {
    omp_set_num_threads(1);
    const auto index = static_cast<std::size_t>(k);
    Eigen::VectorXd weights(points);
    if (mixture.weights(k) < small_mass) {
      weights.setConstant(1.0 / static_cast<double>(points));
    } else {
      weights = (log_responsibilities.row(k).array() - log_mass(k)).exp().matrix().transpose();
    }
    weighted_moments(columns, weights, kStepRegularisation, mixture.means[index],
                     mixture.covariances[index]);
  }
}

std::uint64_t stream_index(int value) {
  return static_cast<std::uint64_t>(value);
}

// State dimension n of the records (of their first state matrix; records_horizon checks the rest).
int records_state_dim(const std::vector<const GroupRolloutRecord*>& records) {
  if (records.empty() || records.front()->states.empty()) {
    throw std::invalid_argument("GMM dynamics prior: no records");
  }
  return static_cast<int>(records.front()->states.front().cols());
}

// Common horizon T of the records; throws std::invalid_argument on inconsistent shapes.
int records_horizon(const std::vector<const GroupRolloutRecord*>& records) {
  const int state_dim = records_state_dim(records);
  const auto horizon = static_cast<int>(records.front()->states.size());
  for (const GroupRolloutRecord* record : records) {
    bool consistent =
        static_cast<int>(record->states.size()) == horizon && record->actions.cols() == horizon;
    for (const Eigen::MatrixXd& states : record->states) {
      consistent =
          consistent && states.rows() == record->actions.rows() && states.cols() == state_dim;
    }
    if (!consistent) {
      throw std::invalid_argument(
          "GMM dynamics prior: records need T states of P x n and P x T actions, same T and n");
    }
  }
  return horizon;
}

// Writes y = [s_t|A(t); a_t; s_{t+1}|A(t+1)] (zeros elsewhere) of point j into row `row`.
void write_transition_point(const GroupRolloutRecord& record, int t, Eigen::Index j,
                            const std::vector<int>& state, const std::vector<int>& next_state,
                            Eigen::MatrixXd& out, Eigen::Index row) {
  out.row(row).setZero();
  const auto state_dim = record.states[static_cast<std::size_t>(t)].cols();
  for (int i : state) out(row, i) = record.states[static_cast<std::size_t>(t)](j, i);
  out(row, state_dim) = record.actions(j, t);
  for (int i : next_state) {
    out(row, state_dim + 1 + i) = record.states[static_cast<std::size_t>(t) + 1](j, i);
  }
}

}  // namespace

Eigen::MatrixXd GaussianMixture::log_responsibilities(
    const Eigen::Ref<const Eigen::MatrixXd>& points, double* log_likelihood) const {
  if (clusters() < 1 || points.cols() != dim()) {
    throw std::invalid_argument("GaussianMixture: points must have the mixture's dimension");
  }
  Eigen::MatrixXd log_values = log_joint(*this, points.transpose());
  const double total = normalise_columns(log_values);
  if (log_likelihood != nullptr) *log_likelihood = total;
  return log_values.transpose();
}

GaussianMoments GaussianMixture::prior_moments(
    const Eigen::Ref<const Eigen::MatrixXd>& points) const {
  if (points.rows() < 1) throw std::invalid_argument("GaussianMixture: empty query set");
  const Eigen::MatrixXd log_r = log_responsibilities(points);
  const double log_count = std::log(static_cast<double>(points.rows()));
  GaussianMoments moments;
  moments.count = static_cast<double>(points.rows());
  moments.mean = Eigen::VectorXd::Zero(dim());
  moments.covariance = Eigen::MatrixXd::Zero(dim(), dim());
  Eigen::VectorXd average(clusters());
  for (int k = 0; k < clusters(); ++k) {
    average(k) = std::exp(log_sum_exp(log_r.col(k)) - log_count);
    moments.mean += average(k) * means[static_cast<std::size_t>(k)];
  }
  for (int k = 0; k < clusters(); ++k) {
    const auto index = static_cast<std::size_t>(k);
    const Eigen::VectorXd shift = means[index] - moments.mean;
    moments.covariance += average(k) * covariances[index];
    moments.covariance.noalias() += average(k) * shift * shift.transpose();
  }
  return moments;
}

int gmm_cluster_count(Eigen::Index points) {
  return static_cast<int>(
      std::max<Eigen::Index>(2, std::min<Eigen::Index>(kMaxClusters, points / kPointsPerCluster)));
}

GmmFit fit_gmm(const Eigen::Ref<const Eigen::MatrixXd>& points, int clusters, RandomStream& random,
               const GaussianMixture* warm_start) {
  if (clusters < 1 || points.rows() < 1 || points.cols() < 1) {
    throw std::invalid_argument("fit_gmm: need clusters >= 1 and a non-empty point set");
  }
  const Eigen::MatrixXd columns = points.transpose();
  GmmFit fit;
  fit.warm_started = warm_start != nullptr && warm_start->clusters() == clusters &&
                     warm_start->dim() == points.cols();
  fit.mixture = fit.warm_started ? *warm_start : initial_mixture(columns, clusters, random);
  double previous = -std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    Eigen::MatrixXd log_r = log_joint(fit.mixture, columns);
    const double log_likelihood = normalise_columns(log_r);
    if (!std::isfinite(log_likelihood)) {
      throw std::domain_error("fit_gmm: non-finite log-likelihood at EM iteration " +
                              std::to_string(iteration));
    }
    fit.log_likelihood.push_back(log_likelihood);
    if (log_likelihood < previous ||
        std::abs(log_likelihood - previous) < kRelativeTolerance * std::abs(log_likelihood)) {
      break;
    }
    previous = log_likelihood;
    maximisation_step(columns, log_r, fit.mixture);
  }
  return fit;
}

Eigen::MatrixXd transition_points(const std::vector<const GroupRolloutRecord*>& records, int t) {
  const int horizon = records_horizon(records);
  if (t < 0 || t > horizon - 2) throw std::invalid_argument("transition_points: t out of range");
  const int state_dim = records_state_dim(records);
  const std::vector<int> state = active_set(t, state_dim);
  const std::vector<int> next_state = active_set(t + 1, state_dim);
  Eigen::Index rows = 0;
  for (const GroupRolloutRecord* record : records) rows += record->actions.rows();
  Eigen::MatrixXd points(rows, transition_point_dim(state_dim));
  Eigen::Index row = 0;
  for (const GroupRolloutRecord* record : records) {
    for (Eigen::Index j = 0; j < record->actions.rows(); ++j) {
      write_transition_point(*record, t, j, state, next_state, points, row++);
    }
  }
  return points;
}

int gmm_points_per_step(Eigen::Index recorded, int rollouts, int horizon) {
  if (recorded < 1 || rollouts < 1 || horizon < 2) {
    throw std::invalid_argument("gmm_points_per_step: need P >= 1, N >= 1 and T >= 2");
  }
  const Eigen::Index share = kMaxPoints / (Eigen::Index{rollouts} * (horizon - 1));
  return static_cast<int>(std::clamp<Eigen::Index>(share, 1, recorded));
}

Eigen::MatrixXd subsample_rollout_points(const GroupRolloutRecord& record, int per_step,
                                         RandomStream& random) {
  const std::vector<const GroupRolloutRecord*> one{&record};
  const int horizon = records_horizon(one);
  const Eigen::Index recorded = record.actions.rows();
  if (horizon < 2 || per_step < 1 || per_step > recorded) {
    throw std::invalid_argument("subsample_rollout_points: need T >= 2 and 1 <= per_step <= P");
  }
  const int state_dim = records_state_dim(one);
  Eigen::MatrixXd points(Eigen::Index{per_step} * (horizon - 1), transition_point_dim(state_dim));
  Eigen::Index row = 0;
  for (int t = 0; t + 1 < horizon; ++t) {
    const std::vector<int> state = active_set(t, state_dim);
    const std::vector<int> next_state = active_set(t + 1, state_dim);
    // Selection sampling (Knuth, TAOCP vol. 2, Alg. 3.4.2 S): every subset equally likely.
    Eigen::Index taken = 0;
    for (Eigen::Index j = 0; j < recorded && taken < per_step; ++j) {
      if (static_cast<double>(recorded - j) * random.uniform() <
          static_cast<double>(per_step - taken)) {
        write_transition_point(record, t, j, state, next_state, points, row++);
        ++taken;
      }
    }
  }
  return points;
}

GmmDynamicsPrior fit_gmm_dynamics_prior(const std::vector<Eigen::MatrixXd>& rollout_points,
                                        int per_step, const Eigen::MatrixXd& reused,
                                        const GaussianMixture* previous, std::uint64_t seed,
                                        const FitContext& context) {
  if (rollout_points.empty() || per_step < 1 || rollout_points.front().rows() % per_step != 0 ||
      rollout_points.front().rows() < 1) {
    throw std::invalid_argument("fit_gmm_dynamics_prior: need rollouts of whole steps of points");
  }
  const Eigen::Index rows = rollout_points.front().rows();
  const Eigen::Index dim = rollout_points.front().cols();
  for (const Eigen::MatrixXd& points : rollout_points) {
    if (points.rows() != rows || points.cols() != dim) {
      throw std::invalid_argument("fit_gmm_dynamics_prior: rollouts of different shapes");
    }
  }
  if (reused.size() > 0 && reused.cols() != dim) {
    throw std::invalid_argument("fit_gmm_dynamics_prior: reused points of another dimension");
  }
  const auto rollouts = static_cast<Eigen::Index>(rollout_points.size());
  Eigen::MatrixXd training(rollouts * rows + reused.rows(), dim);
  for (Eigen::Index r = 0; r < rollouts; ++r) {
    training.middleRows(r * rows, rows) = rollout_points[static_cast<std::size_t>(r)];
  }
  if (reused.rows() > 0) training.bottomRows(reused.rows()) = reused;
  RandomStream initial_random(seed, "gmm-init",
                              {stream_index(context.iteration), stream_index(context.group)});
  GmmDynamicsPrior prior;
  try {
    prior.fit = fit_gmm(training, gmm_cluster_count(training.rows()), initial_random, previous);
    const Eigen::Index steps = rows / per_step;
    prior.steps.reserve(static_cast<std::size_t>(steps));
    Eigen::MatrixXd query(rollouts * per_step, dim);
    for (Eigen::Index t = 0; t < steps; ++t) {
      for (Eigen::Index r = 0; r < rollouts; ++r) {
        query.middleRows(r * per_step, per_step) =
            rollout_points[static_cast<std::size_t>(r)].middleRows(t * per_step, per_step);
      }
      prior.steps.push_back(prior.fit.mixture.prior_moments(query));
    }
  } catch (const std::domain_error& error) {
    throw FitError("GMM dynamics prior", context, -1, error.what());
  }
  return prior;
}

}  // namespace l2o
