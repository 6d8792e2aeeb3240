#pragma once
// Deterministic objectives behind the MinibatchOracle interface, for the optimizer tests. Each one
// also keeps its own call counter, independent of the base class's, to check the reported counts.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <utility>

#include "objective/minibatch_oracle.hpp"
#include "util/random_stream.hpp"

namespace l2o::test {

/// f(x) = 0.5 x'Ax - b'x + w sum_i log cosh(x_i); gradient Ax - b + w tanh(x) (A symmetric).
/// With w = 0 a quadratic with minimiser A^{-1} b. Same formula as
/// tests/reference/make_reference.py.
class LogCoshQuadraticOracle final : public MinibatchOracle {
 public:
  LogCoshQuadraticOracle(Eigen::MatrixXd a, Eigen::VectorXd b, double log_cosh_weight)
      : a_(std::move(a)), b_(std::move(b)), weight_(log_cosh_weight) {}
  [[nodiscard]] Eigen::Index dimension() const override { return b_.size(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    ++evaluations_;
    ++calls;
    return value(x);
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    ++calls;
    gradient = a_ * x - b_ + weight_ * x.array().tanh().matrix();
    return value(x);
  }
  /// The matrix A.
  [[nodiscard]] const Eigen::MatrixXd& a() const { return a_; }
  /// The vector b.
  [[nodiscard]] const Eigen::VectorXd& b() const { return b_; }
  std::int64_t calls = 0;  ///< independent count of loss() + loss_gradient() calls

 private:
  [[nodiscard]] double value(const Eigen::Ref<const Eigen::VectorXd>& x) const {
    // log cosh t = |t| + log1p(exp(-2|t|)) - log 2, without overflow.
    const Eigen::ArrayXd t = x.array().abs();
    const double log_cosh = (t + (-2.0 * t).exp().log1p() - std::log(2.0)).sum();
    return 0.5 * x.dot(a_ * x) - b_.dot(x) + weight_ * log_cosh;
  }
  Eigen::MatrixXd a_;
  Eigen::VectorXd b_;
  double weight_;
};

/// Rosenbrock's function sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 (scipy.optimize.rosen).
class RosenbrockOracle final : public MinibatchOracle {
 public:
  explicit RosenbrockOracle(Eigen::Index dimension) : dimension_(dimension) {}
  [[nodiscard]] Eigen::Index dimension() const override { return dimension_; }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    ++evaluations_;
    ++calls;
    return value(x);
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    ++calls;
    gradient.setZero();
    for (Eigen::Index i = 0; i + 1 < dimension_; ++i) {
      const double r = x(i + 1) - x(i) * x(i);
      gradient(i) += -400.0 * x(i) * r - 2.0 * (1.0 - x(i));
      gradient(i + 1) += 200.0 * r;
    }
    return value(x);
  }
  std::int64_t calls = 0;  ///< independent count of loss() + loss_gradient() calls

 private:
  [[nodiscard]] double value(const Eigen::Ref<const Eigen::VectorXd>& x) const {
    double f = 0.0;
    for (Eigen::Index i = 0; i + 1 < dimension_; ++i) {
      const double r = x(i + 1) - x(i) * x(i);
      f += 100.0 * r * r + (1.0 - x(i)) * (1.0 - x(i));
    }
    return f;
  }
  Eigen::Index dimension_;
};

/// Symmetric positive definite n x n matrix Q diag(eigenvalues) Q' with a random orthogonal Q
/// (Gram-Schmidt of a Gaussian matrix from the keyed stream).
inline Eigen::MatrixXd spd_matrix(const Eigen::VectorXd& eigenvalues, std::uint64_t seed) {
  const Eigen::Index n = eigenvalues.size();
  RandomStream stream(seed, "optim-test-spd");
  Eigen::MatrixXd q(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) q(i, j) = stream.normal();
    for (Eigen::Index k = 0; k < j; ++k) q.col(j) -= q.col(k).dot(q.col(j)) * q.col(k);
    q.col(j).normalize();
  }
  Eigen::MatrixXd a = q * eigenvalues.asDiagonal() * q.transpose();
  return 0.5 * (a + a.transpose());
}

/// Standard normal vector of size n from the keyed stream.
inline Eigen::VectorXd normal_vector(Eigen::Index n, std::uint64_t seed) {
  RandomStream stream(seed, "optim-test-vector");
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = stream.normal();
  return v;
}

}  // namespace l2o::test
