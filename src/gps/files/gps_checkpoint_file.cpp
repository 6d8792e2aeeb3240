#include "gps/files/gps_checkpoint_file.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gps/files/policy_io.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

using Index = Eigen::Index;

std::uint64_t extent(Index size) {
  return static_cast<std::uint64_t>(size);
}

std::string shape_text(const Hdf5Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  return text + "]";
}

// Matrices are stored row-major whatever Eigen's storage order.
template <class Derived>
void write_matrix(const Hdf5Group& group, const std::string& name,
                  const Eigen::MatrixBase<Derived>& m) {
  const RowMajorMatrixXd rows = m;
  group.write(name, rows.data(), {extent(m.rows()), extent(m.cols())});
}

void write_vector(const Hdf5Group& group, const std::string& name, const Eigen::VectorXd& v) {
  group.write(name, v.data(), {extent(v.size())});
}

// A list of equally shaped matrices as one [count, rows, cols] dataset.
void write_matrices(const Hdf5Group& group, const std::string& name,
                    const std::vector<Eigen::MatrixXd>& list, Index rows, Index cols) {
  std::vector<double> values;
  values.reserve(list.size() * extent(rows * cols));
  for (const Eigen::MatrixXd& m : list) {
    const RowMajorMatrixXd r = m;
    values.insert(values.end(), r.data(), r.data() + r.size());
  }
  group.write(name, values.data(), {list.size(), extent(rows), extent(cols)});
}

// A list of equally long vectors as one [count, size] dataset.
void write_vectors(const Hdf5Group& group, const std::string& name,
                   const std::vector<Eigen::VectorXd>& list, Index size) {
  std::vector<double> values;
  values.reserve(list.size() * extent(size));
  for (const Eigen::VectorXd& v : list) values.insert(values.end(), v.data(), v.data() + v.size());
  group.write(name, values.data(), {list.size(), extent(size)});
}

// The doubles of dataset `name`, which must have exactly the shape `expected`.
std::vector<double> read_array(const Hdf5Group& group, const std::string& name,
                               const Hdf5Shape& expected) {
  Hdf5Shape shape;
  std::vector<double> values = group.read_doubles(name, &shape);
  if (shape != expected)
    throw InputError(group.where(name) + ": shape " + shape_text(shape) + ", expected " +
                     shape_text(expected));
  return values;
}

Eigen::VectorXd read_vector(const Hdf5Group& group, const std::string& name, Index size) {
  const std::vector<double> values = read_array(group, name, {extent(size)});
  return Eigen::Map<const Eigen::VectorXd>(values.data(), size);
}

Eigen::MatrixXd read_matrix(const Hdf5Group& group, const std::string& name, Index rows,
                            Index cols) {
  const std::vector<double> values = read_array(group, name, {extent(rows), extent(cols)});
  return Eigen::Map<const RowMajorMatrixXd>(values.data(), rows, cols);
}

std::vector<Eigen::MatrixXd> read_matrices(const Hdf5Group& group, const std::string& name,
                                           Index count, Index rows, Index cols) {
  const std::vector<double> values =
      read_array(group, name, {extent(count), extent(rows), extent(cols)});
  std::vector<Eigen::MatrixXd> list;
  for (Index k = 0; k < count; ++k)
    list.emplace_back(
        Eigen::Map<const RowMajorMatrixXd>(values.data() + k * rows * cols, rows, cols));
  return list;
}

std::vector<Eigen::VectorXd> read_vectors(const Hdf5Group& group, const std::string& name,
                                          Index count, Index size) {
  const std::vector<double> values = read_array(group, name, {extent(count), extent(size)});
  std::vector<Eigen::VectorXd> list;
  for (Index k = 0; k < count; ++k)
    list.emplace_back(Eigen::Map<const Eigen::VectorXd>(values.data() + k * size, size));
  return list;
}

[[noreturn]] void invalid(const Hdf5Group& group, const std::string& name,
                          const std::string& what) {
  throw InputError(group.where(name) + ": " + what);
}

// A double attribute that must be finite and > 0.
double read_positive(const Hdf5Group& group, const std::string& name) {
  const double value = group.double_attribute(name);
  if (!(value > 0.0) || !std::isfinite(value))
    invalid(group, name, "must be finite and > 0, got " + std::to_string(value));
  return value;
}

void write_policy_group(const Hdf5Group& parent, const std::string& name,
                        const LinearGaussianPolicy& psi) {
  if (psi.horizon() == 0) return;  // not yet set (omitted; reads back empty)
  const Hdf5Group group = parent.create_group(name);
  write_matrix(group, "gain", psi.gain);
  write_vector(group, "bias", psi.bias);
  write_vector(group, "variance", psi.variance);
}

LinearGaussianPolicy read_policy_group(const Hdf5Group& parent, const std::string& name,
                                       Index horizon, Index state_dim) {
  LinearGaussianPolicy psi;
  if (!parent.contains(name)) return psi;
  const Hdf5Group group = parent.open_group(name);
  psi.gain = read_matrix(group, "gain", horizon, state_dim);
  psi.bias = read_vector(group, "bias", horizon);
  psi.variance = read_vector(group, "variance", horizon);
  if (!(psi.variance.array() > 0.0).all() || !psi.variance.allFinite())
    invalid(group, "variance", "variances must be finite and > 0");
  return psi;
}

void write_dynamics(const Hdf5Group& parent, const LinearGaussianDynamics& d) {
  if (d.transition.empty()) return;
  const Hdf5Group group = parent.create_group("previous_dynamics");
  const Index n = d.state_dim();
  write_matrices(group, "transition", d.transition, n, n + 1);
  write_vectors(group, "offset", d.offset, n);
  write_matrices(group, "noise_cov", d.noise_cov, n, n);
  write_vector(group, "initial_mean", d.initial_mean);
  write_matrix(group, "initial_cov", d.initial_cov);
}

LinearGaussianDynamics read_dynamics(const Hdf5Group& parent, Index horizon, Index state_dim) {
  LinearGaussianDynamics d;
  if (!parent.contains("previous_dynamics")) return d;
  const Hdf5Group group = parent.open_group("previous_dynamics");
  const Index n = state_dim;
  d.transition = read_matrices(group, "transition", horizon - 1, n, n + 1);
  d.offset = read_vectors(group, "offset", horizon - 1, n);
  d.noise_cov = read_matrices(group, "noise_cov", horizon - 1, n, n);
  d.initial_mean = read_vector(group, "initial_mean", n);
  d.initial_cov = read_matrix(group, "initial_cov", n, n);
  return d;
}

void write_cost(const Hdf5Group& parent, const QuadraticCost& c) {
  if (c.hessian.empty()) return;
  const Hdf5Group group = parent.create_group("previous_cost");
  const Index z = c.gradient.front().size();
  write_matrices(group, "hessian", c.hessian, z, z);
  write_vectors(group, "gradient", c.gradient, z);
}

QuadraticCost read_cost(const Hdf5Group& parent, Index horizon, Index state_dim) {
  QuadraticCost c;
  if (!parent.contains("previous_cost")) return c;
  const Hdf5Group group = parent.open_group("previous_cost");
  const Index z = state_dim + 1;
  c.hessian = read_matrices(group, "hessian", horizon, z, z);
  c.gradient = read_vectors(group, "gradient", horizon, z);
  return c;
}

void write_group_state(const Hdf5Group& group, const GpsGroupState& g) {
  group.set_attribute("eta", g.eta);
  group.set_attribute("step_multiplier", g.step_multiplier);
  group.set_attribute("cost_normaliser", g.cost_normaliser);
  group.set_attribute("action_scale", g.units.action_scale);
  write_vector(group, "state_scale", g.units.state_scale);
  write_vector(group, "lambda", g.duals.lambda);
  write_vector(group, "nu", g.duals.nu);
  write_policy_group(group, "sampling_policy", g.sampling_policy);
  write_policy_group(group, "previous_sampling_policy", g.previous_sampling_policy);
  write_policy_group(group, "previous_linearisation", g.previous_linearisation);
  write_dynamics(group, g.previous_dynamics);
  write_cost(group, g.previous_cost);
  if (g.reused_points.size() > 0) write_matrix(group, "reused_points", g.reused_points);
}

// The GMM subsample kept for reuse: rows of y = [s_t; a_t; s_{t+1}] (gmm_dynamics_priors.hpp),
// present exactly after iteration 0 of a run that reuses samples.
Eigen::MatrixXd read_reused_points(const Hdf5Group& group, Index state_dim, bool reuses_samples,
                                   bool fitted) {
  const bool expected = reuses_samples && fitted;
  if (!group.contains("reused_points")) {
    if (expected) invalid(group, "reused_points", "missing (gps.sample_reuse = \"previous\")");
    return {};
  }
  if (!reuses_samples)
    invalid(group, "reused_points", "present, but gps.sample_reuse is not \"previous\"");
  if (!fitted) invalid(group, "reused_points", "present before iteration 1");
  Hdf5Shape shape;
  const std::vector<double> values = group.read_doubles("reused_points", &shape);
  if (shape.size() != 2 || shape[0] == 0 || shape[1] != extent(2 * state_dim + 1))
    invalid(group, "reused_points",
            "shape " + shape_text(shape) + ", expected [points, " +
                std::to_string(2 * state_dim + 1) + "]");
  return Eigen::Map<const RowMajorMatrixXd>(values.data(), static_cast<Index>(shape[0]),
                                            static_cast<Index>(shape[1]));
}

// `fitted`: the state is after iteration 0, which fixes the cost normaliser and leaves the
// previous local model that step 6 of every later iteration needs (§10).
GpsGroupState read_group_state(const Hdf5Group& group, Index horizon, Index state_dim, bool fitted,
                               bool reuses_samples) {
  GpsGroupState g;
  g.eta = read_positive(group, "eta");
  g.step_multiplier = read_positive(group, "step_multiplier");
  // NaN until iteration 0 fixes it (gps_state.hpp), then finite and > 0.
  g.cost_normaliser = group.double_attribute("cost_normaliser");
  const bool fixed = g.cost_normaliser > 0.0 && std::isfinite(g.cost_normaliser);
  if (fitted && !fixed)
    invalid(group, "cost_normaliser", "must be finite and > 0 after iteration 0");
  if (!fixed && !std::isnan(g.cost_normaliser))
    invalid(group, "cost_normaliser", "must be NaN (not fixed yet) or finite and > 0");
  g.units.action_scale = group.double_attribute("action_scale");
  g.units.state_scale = read_vector(group, "state_scale", state_dim);
  try {
    g.units.check(static_cast<int>(state_dim));
  } catch (const std::invalid_argument& e) {
    invalid(group, "state_scale", e.what());
  }
  g.duals.lambda = read_vector(group, "lambda", horizon);
  g.duals.nu = read_vector(group, "nu", horizon);
  if (!(g.duals.nu.array() >= 0.0).all()) invalid(group, "nu", "penalties must be >= 0");
  if (!group.contains("sampling_policy"))
    invalid(group, "sampling_policy", "missing (every checkpoint has psi-hat)");
  if (fitted)
    for (const char* name : {"previous_sampling_policy", "previous_linearisation",
                             "previous_dynamics", "previous_cost"})
      if (!group.contains(name))
        invalid(group, name, "missing (every checkpoint after iteration 0 has it)");
  g.sampling_policy = read_policy_group(group, "sampling_policy", horizon, state_dim);
  g.previous_sampling_policy =
      read_policy_group(group, "previous_sampling_policy", horizon, state_dim);
  g.previous_linearisation = read_policy_group(group, "previous_linearisation", horizon, state_dim);
  g.previous_dynamics = read_dynamics(group, horizon, state_dim);
  g.previous_cost = read_cost(group, horizon, state_dim);
  g.reused_points = read_reused_points(group, state_dim, reuses_samples, fitted);
  return g;
}

std::string group_name(std::size_t g) {
  return "group_" + std::to_string(g);
}

}  // namespace

void write_gps_checkpoint(const Hdf5Group& group, const GpsCheckpoint& checkpoint) {
  const GpsState& state = checkpoint.state;
  group.set_attribute("method", std::string(kGpsMethod));
  // The seed's bits as int64 (HDF5 attributes here are signed); read back by the inverse cast.
  group.set_attribute("seed", static_cast<std::int64_t>(state.seed));
  group.set_attribute("iteration", static_cast<std::int64_t>(state.iteration));
  group.set_attribute("initial_alpha", state.initial_alpha);
  group.set_attribute("initial_beta", state.initial_beta);
  group.set_attribute("previous_sample_cost", state.previous_sample_cost);
  group.set_attribute("best_score", checkpoint.best_score);
  group.set_attribute("best_iteration", static_cast<std::int64_t>(checkpoint.best_iteration));
  group.set_attribute("group_count", static_cast<std::int64_t>(state.groups.size()));
  for (std::size_t g = 0; g < state.groups.size(); ++g) {
    const Hdf5Group sub = group.create_group(group_name(g));
    write_group_state(sub, state.groups[g]);
    if (g < state.policies.size()) write_policy(sub.create_group("policy"), state.policies[g]);
  }
}

GpsCheckpoint read_gps_checkpoint(const Hdf5Group& group, const GpsParams& params,
                                  std::size_t group_count) {
  const std::string method = group.string_attribute("method");
  if (method != kGpsMethod)
    throw InputError(group.where("") + ": a checkpoint of method \"" + method +
                     "\", not \"gps\"; resume it with --method " + method);
  const std::int64_t stored_groups = group.integer_attribute("group_count");
  if (stored_groups != static_cast<std::int64_t>(group_count))
    throw InputError(group.where("group_count") + ": " + std::to_string(stored_groups) +
                     " groups, this task has " + std::to_string(group_count) + kDamagedCheckpoint);
  // The identity fits; anything missing or malformed from here on is damage.
  try {
    GpsCheckpoint checkpoint;
    GpsState& state = checkpoint.state;
    state.seed = static_cast<std::uint64_t>(group.integer_attribute("seed"));
    const std::int64_t iteration = group.integer_attribute("iteration");
    if (iteration < 0 || iteration > std::numeric_limits<int>::max())
      invalid(group, "iteration", "out of range: " + std::to_string(iteration));
    state.iteration = static_cast<int>(iteration);
    state.initial_alpha = group.double_attribute("initial_alpha");
    state.initial_beta = group.double_attribute("initial_beta");
    state.previous_sample_cost = group.double_attribute("previous_sample_cost");
    if (!(state.iteration >= 1 ? std::isfinite(state.previous_sample_cost)
                               : std::isnan(state.previous_sample_cost)))
      invalid(group, "previous_sample_cost", "must be NaN before iteration 1, else finite");
    checkpoint.best_score = group.double_attribute("best_score");
    const std::int64_t best_iteration = group.integer_attribute("best_iteration");
    if (best_iteration < -1 || best_iteration >= iteration)
      invalid(group, "best_iteration", "out of range: " + std::to_string(best_iteration));
    checkpoint.best_iteration = static_cast<int>(best_iteration);

    const Index horizon = params.horizon;
    std::size_t policies = 0;
    for (std::size_t g = 0; g < group_count; ++g) {
      const Hdf5Group sub = group.open_group(group_name(g));
      state.groups.push_back(read_group_state(sub, horizon, params.state_dim(),
                                              state.iteration >= 1, params.reuse_previous_samples));
      if (sub.contains("policy")) {
        state.policies.push_back(
            read_policy<float>(sub.open_group("policy"), policy_params(params)));
        ++policies;
      }
    }
    // Policies exist for every group after iteration 0 and for none before (§12 step 2).
    const std::size_t expected = state.iteration >= 1 ? group_count : 0;
    if (policies != expected)
      invalid(group, "",
              std::to_string(policies) + " of " + std::to_string(group_count) +
                  " groups have a policy, expected " + std::to_string(expected) + " at iteration " +
                  std::to_string(state.iteration));
    return checkpoint;
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + kDamagedCheckpoint);
  }
}

}  // namespace l2o
