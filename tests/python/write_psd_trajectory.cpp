// Writes the fixture of test_torch_trajectory.py: one `l2o train` run of a learned optimizer on
// the paper's training task (MNIST projected to 48 dimensions, 48-48-10 net, minibatch 64: the
// task of config/train_mnist48.toml), through the same harness (run_optimizer: initial point and
// minibatches from the seed), recording every iterate and the minibatch each step saw.
//   write_psd_trajectory <model.h5> <data dir> <seed> <iterations> <output.h5>
// Output: /inputs [T, 64, 48], /labels [T, 64] (the projected minibatches), /iterates [T+1, d]
// (x^(0) .. x^(T), the net's parameters in Mlp group order), /losses [T] (minibatch losses), and
// @architecture.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "eval/learned_optimizer.hpp"
#include "eval/run_optimizer.hpp"
#include "eval/task_spec.hpp"
#include "io/hdf5_file.hpp"

namespace {

// Passes every call to `inner` and keeps x^(0) and the iterate after every step.
class RecordingOptimizer final : public l2o::Optimizer {
 public:
  explicit RecordingOptimizer(l2o::Optimizer& inner) : inner_(inner) {}
  [[nodiscard]] std::string name() const override { return inner_.name(); }
  [[nodiscard]] l2o::HyperparameterList hyperparameters() const override {
    return inner_.hyperparameters();
  }
  void check_groups(const std::vector<l2o::ParameterGroup>& groups) const override {
    inner_.check_groups(groups);
  }
  std::vector<Eigen::VectorXd> iterates;
  std::vector<double> losses;

 protected:
  void do_start(Eigen::Index /*dimension*/) override { inner_.start(groups()); }
  Iteration do_step(Eigen::Ref<Eigen::VectorXd> x, l2o::MinibatchOracle& oracle) override {
    if (iterates.empty()) iterates.emplace_back(x);
    const l2o::StepReport report = inner_.step(x, oracle);
    iterates.emplace_back(x);
    losses.push_back(report.loss);
    return {report.loss, report.line_search_failed};
  }

 private:
  l2o::Optimizer& inner_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s <model.h5> <data dir> <seed> <iterations> <output.h5>\n",
                 argv[0]);
    return 2;
  }
  try {
    l2o::TaskSpec spec;  // mnist, 48 inputs, hidden [48], batch 64: config/train_mnist48.toml
    spec.data_dir = argv[2];
    const l2o::MlpTask task = l2o::make_task(spec);
    const auto seed = static_cast<std::uint64_t>(std::stoull(argv[3]));
    const std::int64_t iterations = std::stoll(argv[4]);
    const auto learned = l2o::load_learned_optimizer(argv[1]);
    RecordingOptimizer recorder(*learned);
    const l2o::RunRecord record = l2o::run_optimizer(task, recorder, seed, iterations, iterations);
    if (record.diverged_at >= 0) throw std::runtime_error("the run diverged");

    auto sampler = task.sampler(seed);
    const int batch = task.batch_size(), inputs = task.mlp().input_dim();
    const auto T = static_cast<std::uint64_t>(iterations);
    const auto d = static_cast<std::uint64_t>(task.dimension());
    std::vector<double> batch_inputs, iterates;
    std::vector<std::int64_t> labels;
    for (std::int64_t t = 0; t < iterations; ++t) {
      for (const int row : sampler.batch(t)) {
        for (int i = 0; i < inputs; ++i) batch_inputs.push_back(task.train().features(row, i));
        labels.push_back(task.train().labels[static_cast<std::size_t>(row)]);
      }
    }
    for (const Eigen::VectorXd& x : recorder.iterates)
      iterates.insert(iterates.end(), x.begin(), x.end());
    l2o::AtomicHdf5File file(argv[5]);
    file.root().write("inputs", batch_inputs.data(),
                      {T, static_cast<std::uint64_t>(batch), static_cast<std::uint64_t>(inputs)});
    file.root().write("labels", labels.data(), {T, static_cast<std::uint64_t>(batch)});
    file.root().write("iterates", iterates.data(), {T + 1, d});
    file.root().write("losses", recorder.losses);
    file.root().set_attribute("architecture", task.mlp().architecture());
    file.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
