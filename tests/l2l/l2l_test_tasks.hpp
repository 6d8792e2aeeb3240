#pragma once
// Optimisee tasks for the L2L tests: per-step linear functions (where dropping second
// derivatives is exact, gps-spec.md §17 P1) and a family of random SPD quadratics.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "l2l/l2l_episode.hpp"
#include "nn/lstm_parameters.hpp"
#include "util/random_stream.hpp"

namespace l2o::test {

/// rows x cols matrix of N(0, scale^2) draws from stream (seed, purpose, {index}).
inline Eigen::MatrixXd normal_matrix(Eigen::Index rows, Eigen::Index cols, double scale,
                                     std::uint64_t seed, const char* purpose,
                                     std::uint64_t index = 0) {
  RandomStream stream(seed, purpose, {index});
  Eigen::MatrixXd result(rows, cols);
  for (Eigen::Index i = 0; i < result.size(); ++i) result.data()[i] = scale * stream.normal();
  return result;
}

/// Parameters with every entry drawn from N(0, scale^2), so no gate or path is trivial.
inline LstmParameters<double> random_l2l_parameters(const LstmShape& shape, double scale,
                                                    std::uint64_t seed) {
  LstmParameters<double> parameters(shape);
  parameters.values() = normal_matrix(shape.parameter_count(), 1, scale, seed, "test-l2l-phi");
  return parameters;
}

/// f(x) = 0.5 (x - c)' H (x - c); gradient H (x - c).
class QuadraticOracle final : public MinibatchOracle {
 public:
  QuadraticOracle(Eigen::MatrixXd h, Eigen::VectorXd c) : h_(std::move(h)), c_(std::move(c)) {}
  [[nodiscard]] Eigen::Index dimension() const override { return c_.size(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    ++evaluations_;
    return 0.5 * (x - c_).dot(h_ * (x - c_));
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    gradient = h_ * (x - c_);
    return 0.5 * (x - c_).dot(gradient);
  }

 private:
  Eigen::MatrixXd h_;
  Eigen::VectorXd c_;
};

/// f(x) = b'x; gradient b, independent of x.
class LinearOracle final : public MinibatchOracle {
 public:
  explicit LinearOracle(Eigen::VectorXd b) : b_(std::move(b)) {}
  [[nodiscard]] Eigen::Index dimension() const override { return b_.size(); }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    ++evaluations_;
    return b_.dot(x);
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    gradient = b_;
    return b_.dot(x);
  }

 private:
  Eigen::VectorXd b_;
};

/// An episode with a fixed x^(0) and one oracle per step (the last one repeats beyond the list).
class ListEpisode final : public L2lEpisode {
 public:
  ListEpisode(Eigen::VectorXd x0, std::vector<std::unique_ptr<MinibatchOracle>> oracles)
      : x0_(std::move(x0)), oracles_(std::move(oracles)) {}
  [[nodiscard]] Eigen::Index dimension() const override { return x0_.size(); }
  void initial_point(Eigen::Ref<Eigen::VectorXd> x) override { x = x0_; }
  MinibatchOracle& oracle(Eigen::Index step) override {
    const auto last = static_cast<Eigen::Index>(oracles_.size()) - 1;
    return *oracles_[static_cast<std::size_t>(step < last ? step : last)];
  }
  /// The repeated last oracle stands for f (exact for the fixed quadratics below).
  double true_objective(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    return oracles_.back()->loss(x);
  }

 private:
  Eigen::VectorXd x0_;
  std::vector<std::unique_ptr<MinibatchOracle>> oracles_;
};

/// Linear episode: f_t = b_t'x with b_t ~ N(0, 1) different at every step t = 0..steps.
inline std::unique_ptr<ListEpisode> linear_episode(Eigen::Index d, Eigen::Index steps,
                                                   std::uint64_t seed) {
  std::vector<std::unique_ptr<MinibatchOracle>> oracles;
  for (Eigen::Index t = 0; t <= steps; ++t) {
    oracles.push_back(std::make_unique<LinearOracle>(
        normal_matrix(d, 1, 1.0, seed, "test-l2l-linear-b", static_cast<std::uint64_t>(t))));
  }
  return std::make_unique<ListEpisode>(normal_matrix(d, 1, 1.0, seed, "test-l2l-linear-x0"),
                                       std::move(oracles));
}

/// Random quadratic number `index` of a family: H = M'M/d + 0.5 I (M ~ N(0,1)), c ~ N(0, 1),
/// x^(0) = 0, the same (deterministic) oracle at every step. Loss 0 at the minimiser c.
inline std::unique_ptr<ListEpisode> quadratic_episode(Eigen::Index d, std::uint64_t seed,
                                                      std::int64_t index) {
  const auto key = static_cast<std::uint64_t>(index);
  const Eigen::MatrixXd m = normal_matrix(d, d, 1.0, seed, "test-l2l-quadratic-m", key);
  Eigen::MatrixXd h = m.transpose() * m / static_cast<double>(d);
  h.diagonal().array() += 0.5;
  std::vector<std::unique_ptr<MinibatchOracle>> oracles;
  oracles.push_back(std::make_unique<QuadraticOracle>(
      std::move(h), normal_matrix(d, 1, 1.0, seed, "test-l2l-quadratic-c", key)));
  return std::make_unique<ListEpisode>(Eigen::VectorXd::Zero(d), std::move(oracles));
}

/// Factory of quadratic_episode(d, seed, e).
inline L2lEpisodeFactory quadratic_family(Eigen::Index d, std::uint64_t seed) {
  return [d, seed](std::int64_t e) -> std::unique_ptr<L2lEpisode> {
    return quadratic_episode(d, seed, e);
  };
}

}  // namespace l2o::test
