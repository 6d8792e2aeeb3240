#include "gps/fit/sufficient_statistics.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace l2o {
namespace {

__extension__ typedef unsigned __int128 FixedPointBits;  // two's-complement bits of a FixedPoint

constexpr double kFixedScale = 0x1p72;          // one unit of FixedPoint is 2^-72
constexpr double kInverseFixedScale = 0x1p-72;  // exact inverse (power of two)
// Largest accepted product sum per add: 2^40 * 2^72 = 2^112, so 2^15 adds cannot overflow 2^127.
constexpr double kMaxAddMagnitude = 0x1p40;

bool representable(double x) {
  return std::abs(x) < kMaxAddMagnitude;
}  // false for NaN, Inf

// Rounds x * 2^72 to the nearest integer (ties to even); exact when |x| * 2^72 >= 2^53.
FixedPoint to_fixed(double x) {
  const double scaled = x * kFixedScale;  // exact: multiplication by a power of two
  if (std::abs(scaled) < 0x1p62) return static_cast<FixedPoint>(std::llrint(scaled));
  // Already an integer, mantissa * 2^exponent with exponent in [10, 60] (|x| < 2^40 is checked):
  // shifting the mantissa is the exact conversion that static_cast<FixedPoint> computes in
  // software (__fixdfti), at a tenth of its cost: the statistics add ~10^8 entries per iteration.
  const auto bits = std::bit_cast<std::uint64_t>(scaled);
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1075;
  const std::uint64_t mantissa = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  const FixedPoint magnitude = static_cast<FixedPoint>(mantissa) << exponent;
  return (bits >> 63) != 0 ? -magnitude : magnitude;
}

double to_double(FixedPoint v) {
  return static_cast<double>(v) * kInverseFixedScale;
}

void add_checked(FixedPoint& sum, FixedPoint value) {
  if (__builtin_add_overflow(sum, value, &sum)) {
    throw std::overflow_error("MomentSums: 128-bit fixed-point overflow");
  }
}

}  // namespace

MomentSums::MomentSums(int steps, int u_columns, int v_columns)
    : steps_(steps), u_columns_(u_columns), v_columns_(v_columns) {
  if (steps <= 0 || u_columns <= 0 || v_columns < 0) {
    throw std::invalid_argument("MomentSums: steps and u_columns must be > 0, v_columns >= 0");
  }
  sums_.assign(static_cast<std::size_t>(steps) * entries_per_step(), FixedPoint{0});
}

bool MomentSums::try_add(int t, const Eigen::Ref<const Eigen::MatrixXd>& gram,
                         const Eigen::Ref<const Eigen::MatrixXd>& cross) {
  if (t < 0 || t >= steps_ || gram.rows() != u_columns_ || gram.cols() != u_columns_ ||
      cross.rows() != v_columns_ || (v_columns_ > 0 && cross.cols() != u_columns_)) {
    throw std::invalid_argument("MomentSums::add: step or block shape mismatch at step " +
                                std::to_string(t));
  }
  // Validate everything first so a rejected block leaves the sums untouched.
  for (int c = 0; c < u_columns_; ++c) {
    for (int r = 0; r <= c; ++r) {
      if (!representable(gram(r, c))) return false;
    }
  }
  if (!cross.unaryExpr([](double x) { return representable(x); }).all()) return false;
  FixedPoint* step = sums_.data() + static_cast<std::size_t>(t) * entries_per_step();
  for (int c = 0; c < u_columns_; ++c) {
    for (int r = 0; r <= c; ++r) *step++ += to_fixed(gram(r, c));
  }
  for (int c = 0; c < u_columns_; ++c) {
    for (int r = 0; r < v_columns_; ++r) *step++ += to_fixed(cross(r, c));
  }
  return true;
}

void MomentSums::add(int t, const Eigen::Ref<const Eigen::MatrixXd>& gram,
                     const Eigen::Ref<const Eigen::MatrixXd>& cross) {
  if (!try_add(t, gram, cross)) {
    throw std::overflow_error("MomentSums::add: non-finite or too large (>= 2^40) moment at step " +
                              std::to_string(t));
  }
}

void MomentSums::merge(const MomentSums& other) {
  if (other.steps_ != steps_ || other.u_columns_ != u_columns_ || other.v_columns_ != v_columns_) {
    throw std::invalid_argument("MomentSums::merge: shape mismatch");
  }
  for (std::size_t e = 0; e < sums_.size(); ++e) add_checked(sums_[e], other.sums_[e]);
}

std::vector<std::uint64_t> MomentSums::serialize() const {
  std::vector<std::uint64_t> buffer;
  buffer.reserve(3 + 2 * sums_.size());
  buffer.push_back(static_cast<std::uint64_t>(steps_));
  buffer.push_back(static_cast<std::uint64_t>(u_columns_));
  buffer.push_back(static_cast<std::uint64_t>(v_columns_));
  for (FixedPoint v : sums_) {
    const auto bits = static_cast<FixedPointBits>(v);
    buffer.push_back(static_cast<std::uint64_t>(bits));
    buffer.push_back(static_cast<std::uint64_t>(bits >> 64));
  }
  return buffer;
}

MomentSums MomentSums::deserialize(std::span<const std::uint64_t> buffer) {
  if (buffer.size() < 3) throw std::invalid_argument("MomentSums::deserialize: short buffer");
  MomentSums result(static_cast<int>(buffer[0]), static_cast<int>(buffer[1]),
                    static_cast<int>(buffer[2]));
  if (buffer.size() != 3 + 2 * result.sums_.size()) {
    throw std::invalid_argument("MomentSums::deserialize: buffer size does not match its header");
  }
  for (std::size_t e = 0; e < result.sums_.size(); ++e) {
    const auto low = static_cast<FixedPointBits>(buffer[3 + 2 * e]);
    const auto high = static_cast<FixedPointBits>(buffer[4 + 2 * e]);
    result.sums_[e] = static_cast<FixedPoint>(low | (high << 64));
  }
  return result;
}

void MomentSums::check_range(int first, int last) const {
  if (first < 0 || last >= steps_ || first > last) {
    throw std::out_of_range("MomentSums: step range [" + std::to_string(first) + ", " +
                            std::to_string(last) + "] outside 0.." + std::to_string(steps_ - 1));
  }
}

// Exact sum of `count` entries starting at `offset` of every step first..last (steps outer,
// entries inner: contiguous reads).
std::vector<FixedPoint> MomentSums::window_sum(int first, int last, Eigen::Index offset,
                                               Eigen::Index count) const {
  check_range(first, last);
  std::vector<FixedPoint> total(static_cast<std::size_t>(count), FixedPoint{0});
  const Eigen::Index stride = entries_per_step();
  for (int t = first; t <= last; ++t) {
    const FixedPoint* step = sums_.data() + t * stride + offset;
    for (Eigen::Index e = 0; e < count; ++e) add_checked(total[e], step[e]);
  }
  return total;
}

void MomentSums::gram(int first, int last, Eigen::Ref<Eigen::MatrixXd> out) const {
  if (out.rows() != u_columns_ || out.cols() != u_columns_) {
    throw std::invalid_argument("MomentSums::gram: output must be p x p");
  }
  const std::vector<FixedPoint> total = window_sum(first, last, 0, gram_entries());
  std::size_t e = 0;
  for (int c = 0; c < u_columns_; ++c) {
    for (int r = 0; r <= c; ++r, ++e) out(r, c) = out(c, r) = to_double(total[e]);
  }
}

void MomentSums::cross(int first, int last, Eigen::Ref<Eigen::MatrixXd> out) const {
  if (out.rows() != v_columns_ || out.cols() != u_columns_) {
    throw std::invalid_argument("MomentSums::cross: output must be q x p");
  }
  const std::vector<FixedPoint> total =
      window_sum(first, last, gram_entries(), Eigen::Index{v_columns_} * u_columns_);
  std::size_t e = 0;
  for (int c = 0; c < u_columns_; ++c) {
    for (int r = 0; r < v_columns_; ++r, ++e) out(r, c) = to_double(total[e]);
  }
}

bool MomentSums::operator==(const MomentSums& other) const {
  return steps_ == other.steps_ && u_columns_ == other.u_columns_ &&
         v_columns_ == other.v_columns_ && sums_ == other.sums_;
}

namespace {

// Forms U_t (and V_t) for every step with `fill(t, u, v)` and adds the step's products. Steps
// run in parallel; each step's products are formed by one thread in a fixed order inside this
// parallel region (where Eigen does not split products), so the sums are thread-independent.
template <class Fill>
void accumulate_steps(MomentSums& sums, Eigen::Index points, const Fill& fill) {
  const int steps = sums.steps();
  const int p = sums.u_columns();
  const int q = sums.v_columns();
  int failed_step = steps;
#pragma omp parallel
  {
    Eigen::MatrixXd u(points, p);
    Eigen::MatrixXd v(points, q);
    Eigen::MatrixXd gram(p, p);
    Eigen::MatrixXd cross(q, p);
#pragma omp for schedule(static)
    for (int t = 0; t < steps; ++t) {
      fill(t, u, v);
      gram.setZero();
      gram.selfadjointView<Eigen::Upper>().rankUpdate(u.transpose());
      if (q > 0) cross.noalias() = v.transpose() * u;
      if (!sums.try_add(t, gram, cross)) {
#pragma omp critical(l2o_moment_sums_failure)
        failed_step = std::min(failed_step, t);
      }
    }
  }
  if (failed_step < steps) {
    throw std::overflow_error(
        "sufficient statistics: non-finite or too large (>= 2^40) moment at "
        "time step " +
        std::to_string(failed_step) + " (steps before it may be added already)");
  }
}

void check_states(const std::vector<Eigen::MatrixXd>& states, int horizon, Eigen::Index points,
                  int state_dim) {
  if (static_cast<int>(states.size()) != horizon) {
    throw std::invalid_argument("sufficient statistics: need " + std::to_string(horizon) +
                                " state matrices, got " + std::to_string(states.size()));
  }
  for (const auto& s : states) {
    if (s.rows() != points || s.cols() != state_dim) {
      throw std::invalid_argument("sufficient statistics: every state matrix must be " +
                                  std::to_string(points) + " x " + std::to_string(state_dim));
    }
  }
}

}  // namespace

void TransitionStatistics::add_rollout(const GroupRolloutRecord& record) {
  const int horizon = sums_.steps();
  const Eigen::Index points = record.actions.rows();
  const int n = state_dim();
  check_states(record.states, horizon, points, n);
  if (record.actions.cols() != horizon || record.true_gradients.rows() != points ||
      record.true_gradients.cols() != horizon + 1) {
    throw std::invalid_argument(
        "TransitionStatistics: actions must be P x T and true gradients "
        "P x (T+1)");
  }
  const bool curvatures = record.gradient_curvatures.size() > 0;
  if (curvatures && (record.gradient_curvatures.rows() != points ||
                     record.gradient_curvatures.cols() != horizon)) {
    throw std::invalid_argument("TransitionStatistics: gradient curvatures must be P x T");
  }
  accumulate_steps(sums_, points, [&](int t, Eigen::MatrixXd& u, Eigen::MatrixXd& v) {
    u.leftCols(n) = record.states[t];
    u.col(action_column()) = record.actions.col(t);
    u.col(gradient_column()) = record.true_gradients.col(t);
    u.col(one_column()).setOnes();
    if (t + 1 < horizon) {
      v.leftCols(n) = record.states[t + 1];
    } else {
      v.leftCols(n).setZero();  // s_T is not recorded
    }
    v.col(next_gradient_column()) = record.true_gradients.col(t + 1);
    if (curvatures) {
      v.col(gradient_curvature_column()) = record.gradient_curvatures.col(t);
    } else {
      v.col(gradient_curvature_column()).setZero();
    }
  });
}

void PolicyStatistics::add_rollout(const std::vector<Eigen::MatrixXd>& states,
                                   const Eigen::MatrixXd& policy_means) {
  const int horizon = sums_.steps();
  const Eigen::Index points = policy_means.rows();
  const int n = state_dim();
  check_states(states, horizon, points, n);
  if (policy_means.cols() != horizon) {
    throw std::invalid_argument("PolicyStatistics: policy means must be P x T");
  }
  accumulate_steps(sums_, points, [&](int t, Eigen::MatrixXd& u, Eigen::MatrixXd&) {
    u.leftCols(n) = states[t];
    u.col(policy_mean_column()) = policy_means.col(t);
    u.col(one_column()).setOnes();
  });
}

}  // namespace l2o
