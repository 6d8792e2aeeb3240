// The task's oracles: true objective on the full training set, minibatch sampling, counting.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <set>

#include "data/catalog.hpp"
#include "objective/mlp_task.hpp"
#include "test_support.hpp"
#include "util/random_stream.hpp"

namespace {

const l2o::MlpTask& mnist48() {
  static const l2o::MlpTask task = [] {
    const auto train = l2o::load_dataset(l2o::test::data_dir(), "mnist", "train");
    auto data =
        std::make_shared<l2o::ProjectedData>(l2o::RandomProjection(train, 48, 1).apply(train));
    return l2o::MlpTask(data, l2o::Mlp(48, {48}, 10), 64);
  }();
  return task;
}

}  // namespace

TEST_CASE("true objective and gradient are bitwise identical for 1 and 2 threads", "[objective]") {
  const auto& task = mnist48();
  const Eigen::VectorXd x = task.mlp().initial_parameters(1);
  Eigen::VectorXd g1, g2;
  omp_set_num_threads(1);
  const double f1 = task.true_objective(x, &g1);
  omp_set_num_threads(2);
  const double f2 = task.true_objective(x, &g2);
  CHECK(std::memcmp(&f1, &f2, sizeof f1) == 0);
  CHECK(std::memcmp(g1.data(), g2.data(), sizeof(double) * g1.size()) == 0);
  // At the PyTorch-style initialisation of a 10-class net the loss is near log(10).
  CHECK(f1 == Approx(std::log(10.0)).epsilon(0.1));
  CHECK(task.true_objective(x) == f1);  // the value alone is the same number
}

TEST_CASE("true objective equals the mean of minibatch losses over the whole set", "[objective]") {
  const auto& task = mnist48();
  const Eigen::VectorXd x = task.mlp().initial_parameters(2);
  std::vector<int> all(60000);
  for (int i = 0; i < 60000; ++i) all[i] = i;
  l2o::MlpWorkspace workspace;
  Eigen::VectorXd g_batch(task.dimension()), g_true;
  const double f_batch = task.batch_objective(x, all, g_batch.data(), workspace);
  const double f_true = task.true_objective(x, &g_true);
  CHECK(f_true == Approx(f_batch).epsilon(1e-12));
  CHECK((g_true - g_batch).norm() < 1e-12 * g_true.norm());
}

TEST_CASE("minibatches cover each epoch without replacement and depend on the seed",
          "[objective]") {
  l2o::MinibatchSampler sampler(1000, 64, 9);  // 15 batches per epoch, 40 examples dropped
  std::set<int> seen;
  for (int t = 0; t < 15; ++t)
    for (int i : sampler.batch(t)) CHECK(seen.insert(i).second);
  CHECK(seen.size() == 960);
  const auto epoch1_first = sampler.batch(15);
  l2o::MinibatchSampler again(1000, 64, 9), other(1000, 64, 10);
  CHECK(again.batch(15) == epoch1_first);  // random access gives the same batch
  CHECK(again.batch(3) == sampler.batch(3));
  CHECK(other.batch(3) != sampler.batch(3));
  CHECK_THROWS_WITH(l2o::MinibatchSampler(10, 64, 1),
                    "task.batch_size must be in [1, 10] (the number of training examples), got 64");
}

TEST_CASE("the minibatch oracle counts evaluations and agrees with batch_objective",
          "[objective]") {
  const auto& task = mnist48();
  auto sampler = task.sampler(4);
  l2o::MlpMinibatchOracle oracle(task);
  oracle.set_batch(sampler.batch(0));
  const Eigen::VectorXd x = task.mlp().initial_parameters(4);
  Eigen::VectorXd g(task.dimension());
  const double f = oracle.loss_gradient(x, g);
  CHECK(oracle.loss(x) == f);
  CHECK(oracle.evaluations() == 2);
  l2o::MlpWorkspace workspace;
  Eigen::VectorXd g_direct(task.dimension());
  CHECK(task.batch_objective(x, sampler.batch(0), g_direct.data(), workspace) == f);
  CHECK(g_direct == g);
}

TEST_CASE("for every activation the true objective is the mean of minibatch losses",
          "[objective]") {
  // Synthetic standardised features: the oracles must agree whatever the hidden units.
  auto data = std::make_shared<l2o::ProjectedData>();
  data->features.resize(700, 6);
  data->labels.resize(700);
  data->num_classes = 4;
  l2o::RandomStream stream(3, "test-features");
  for (Eigen::Index i = 0; i < data->features.size(); ++i)
    data->features.data()[i] = stream.normal();
  for (auto& label : data->labels) label = static_cast<int>(stream.uniform_index(4));
  std::vector<int> all(700);
  for (int i = 0; i < 700; ++i) all[i] = i;
  for (const auto activation :
       {l2o::Activation::relu, l2o::Activation::tanh, l2o::Activation::sigmoid}) {
    INFO(l2o::activation_name(activation));
    const l2o::MlpTask task(data, l2o::Mlp(6, {5, 5}, 4, 1e-3, activation), 32);
    const Eigen::VectorXd x = task.mlp().initial_parameters(4);
    l2o::MlpWorkspace workspace;
    Eigen::VectorXd g_batch(task.dimension()), g_true;
    const double f_batch = task.batch_objective(x, all, g_batch.data(), workspace);
    const double f_true = task.true_objective(x, &g_true);
    CHECK(f_true == Approx(f_batch).epsilon(1e-12));
    CHECK((g_true - g_batch).norm() < 1e-12 * g_true.norm());
    l2o::MlpMinibatchOracle oracle(task);
    auto sampler = task.sampler(9);
    oracle.set_batch(sampler.batch(0));
    Eigen::VectorXd g_oracle(task.dimension());
    CHECK(oracle.loss_gradient(x, g_oracle) ==
          task.batch_objective(x, sampler.batch(0), g_batch.data(), workspace));
    CHECK(g_oracle == g_batch);
  }
}
