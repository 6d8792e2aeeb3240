// Trains a small classifier written in plain Eigen (a D-H-K net with a tanh hidden layer on
// synthetic Gaussian clusters) twice from the same start, on the same minibatches: with the
// learned optimizer of a model file written by `l2o meta-train`, and with l2o's Adam. Prints the
// full-data loss before and after each.
//   use_learned_optimizer <model.h5> [iterations]
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "eval/learned_optimizer.hpp"  // l2o::load_learned_optimizer
#include "optim/adam.hpp"              // l2o::Adam

namespace {

constexpr int kInputs = 8, kHidden = 16, kClasses = 3, kExamples = 600, kBatch = 32;

// The net's parameters as one vector, in l2o's group layout: per layer the weights (out x in,
// row-major) then the biases. The roles tell a learned optimizer which of its policies moves
// which group (first layer, last layer; psd_optimizer.hpp).
std::vector<l2o::ParameterGroup> parameter_groups() {
  std::vector<l2o::ParameterGroup> groups;
  Eigen::Index offset = 0;
  const int sizes[] = {kInputs, kHidden, kClasses};
  for (int layer = 1; layer <= 2; ++layer) {
    const int in = sizes[layer - 1], out = sizes[layer];
    const std::string name = "layer" + std::to_string(layer);
    groups.push_back({name + ".weights", layer, false, offset, Eigen::Index{out} * in, out, in});
    offset += Eigen::Index{out} * in;
    groups.push_back({name + ".biases", layer, true, offset, out, out, 1});
    offset += out;
  }
  return groups;
}

// Mean cross-entropy of the net on a set of examples, and its gradient: the oracle an l2o
// optimizer asks once per iteration, bound to that iteration's minibatch.
class ClassifierLoss final : public l2o::MinibatchOracle {
 public:
  ClassifierLoss(const Eigen::MatrixXd& inputs, const std::vector<int>& labels)
      : inputs_(inputs), labels_(labels) {}
  void set_rows(std::vector<int> rows) { rows_ = std::move(rows); }
  [[nodiscard]] Eigen::Index dimension() const override {
    return Eigen::Index{kHidden} * (kInputs + 1) + Eigen::Index{kClasses} * (kHidden + 1);
  }
  double loss(const Eigen::Ref<const Eigen::VectorXd>& x) override {
    Eigen::VectorXd unused(dimension());
    return loss_gradient(x, unused);
  }
  double loss_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> gradient) override {
    ++evaluations_;
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Index w2 = Eigen::Index{kHidden} * (kInputs + 1), b2 = w2 + kClasses * kHidden;
    Eigen::Map<const RowMajor> W1(x.data(), kHidden, kInputs), W2(x.data() + w2, kClasses, kHidden);
    const auto c1 = x.segment(Eigen::Index{kHidden} * kInputs, kHidden);
    const auto c2 = x.segment(b2, kClasses);
    Eigen::Map<RowMajor> dW1(gradient.data(), kHidden, kInputs),
        dW2(gradient.data() + w2, kClasses, kHidden);
    gradient.setZero();
    double total = 0.0;
    for (const int n : rows_) {
      const Eigen::VectorXd h = (W1 * inputs_.row(n).transpose() + c1).array().tanh().matrix();
      Eigen::VectorXd p = ((W2 * h + c2).array() - (W2 * h + c2).maxCoeff()).exp().matrix();
      p /= p.sum();
      total -= std::log(p(labels_[n]));
      p(labels_[n]) -= 1.0;  // d loss / d logits
      const Eigen::VectorXd dh = (W2.transpose() * p).array() * (1.0 - h.array().square());
      dW2 += p * h.transpose();
      gradient.segment(b2, kClasses) += p;
      dW1 += dh * inputs_.row(n);
      gradient.segment(Eigen::Index{kHidden} * kInputs, kHidden) += dh;
    }
    gradient /= static_cast<double>(rows_.size());
    return total / static_cast<double>(rows_.size());
  }

 private:
  const Eigen::MatrixXd& inputs_;
  const std::vector<int>& labels_;
  std::vector<int> rows_;
};

// Trains from x0 for `iterations` minibatches (the same sequence for every optimizer) and returns
// the full-data loss at the end.
double train(l2o::Optimizer& optimizer, ClassifierLoss& objective, Eigen::VectorXd x,
             int iterations) {
  std::mt19937 minibatches(7);
  std::uniform_int_distribution<int> example(0, kExamples - 1);
  optimizer.start(parameter_groups());
  for (int t = 0; t < iterations; ++t) {
    std::vector<int> rows(kBatch);
    for (int& row : rows) row = example(minibatches);
    objective.set_rows(std::move(rows));
    optimizer.step(x, objective);
  }
  std::vector<int> all(kExamples);
  for (int n = 0; n < kExamples; ++n) all[n] = n;
  objective.set_rows(all);
  return objective.loss(x);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s <model.h5> [iterations]\n", argv[0]);
    return 2;
  }
  const int iterations = argc == 3 ? std::stoi(argv[2]) : 200;
  try {
    // Synthetic data: three Gaussian clusters in 8 dimensions.
    std::mt19937 random(1);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd centres(kClasses, kInputs), inputs(kExamples, kInputs);
    std::vector<int> labels(kExamples);
    for (Eigen::Index i = 0; i < centres.size(); ++i) centres(i) = 1.5 * normal(random);
    for (int n = 0; n < kExamples; ++n) {
      labels[n] = n % kClasses;
      for (int i = 0; i < kInputs; ++i) inputs(n, i) = centres(labels[n], i) + normal(random);
    }
    // PyTorch nn.Linear's initialisation: uniform in +-1/sqrt(fan_in).
    ClassifierLoss objective(inputs, labels);
    Eigen::VectorXd x0(objective.dimension());
    for (const l2o::ParameterGroup& group : parameter_groups()) {
      std::uniform_real_distribution<double> init(
          -1.0 / std::sqrt(group.layer == 1 ? kInputs : kHidden),
          1.0 / std::sqrt(group.layer == 1 ? kInputs : kHidden));
      for (Eigen::Index j = 0; j < group.size; ++j) x0(group.offset + j) = init(random);
    }
    std::vector<int> all(kExamples);
    for (int n = 0; n < kExamples; ++n) all[n] = n;
    objective.set_rows(all);
    const double initial = objective.loss(x0);

    const auto learned = l2o::load_learned_optimizer(argv[1]);
    const double learned_final = train(*learned, objective, x0, iterations);
    l2o::Adam adam({.learning_rate = 0.01});
    const double adam_final = train(adam, objective, x0, iterations);
    std::printf("%s: initial loss %.6f final loss %.6f\n", learned->name().c_str(), initial,
                learned_final);
    std::printf("adam: initial loss %.6f final loss %.6f\n", initial, adam_final);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
