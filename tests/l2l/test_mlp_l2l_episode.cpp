// L2L episodes on the real base-learner task, and the cost set D_c of gps-spec.md §1.1: a fixed
// random subset whose true objective is the mean loss over exactly those examples.
#include <catch2/catch.hpp>
#include <set>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "l2l/mlp_l2l_episode.hpp"
#include "objective/cost_set.hpp"
#include "test_support.hpp"

namespace l2o {
namespace {

MlpTask small_mnist_task() {
  const Dataset train = load_dataset(test::data_dir(), "mnist", "train");
  const RandomProjection projection(train, 8, 1);
  return {std::make_shared<const ProjectedData>(projection.apply(train)), Mlp(8, {6}, 10, 0.0), 32};
}

}  // namespace

TEST_CASE("cost set: a fixed subset whose true objective is the mean over its examples", "[l2l]") {
  const MlpTask task = small_mnist_task();
  const MlpTask cost = cost_set_task(task, 700, 5);
  REQUIRE(cost.train().labels.size() == 700);
  // Every subset row is a distinct row of the training set (found by its features and label).
  std::vector<int> rows;
  for (Eigen::Index i = 0; i < 700; ++i) {
    for (Eigen::Index r = 0; r < task.train().features.rows(); ++r) {
      if (task.train().features.row(r) == cost.train().features.row(i) &&
          task.train().labels[static_cast<std::size_t>(r)] ==
              cost.train().labels[static_cast<std::size_t>(i)]) {
        rows.push_back(static_cast<int>(r));
        break;
      }
    }
  }
  REQUIRE(rows.size() == 700);
  CHECK(std::set<int>(rows.begin(), rows.end()).size() == 700);
  const Eigen::VectorXd x = task.mlp().initial_parameters(3);
  MlpWorkspace workspace;
  CHECK(cost.true_objective(x) ==
        Approx(task.batch_objective(x, rows, nullptr, workspace)).epsilon(1e-12));
  // Fixed by the seed; another seed draws another subset; 0 keeps the full set.
  CHECK(cost_set_task(task, 700, 5).train().features == cost.train().features);
  CHECK(cost_set_task(task, 700, 6).train().features != cost.train().features);
  CHECK(cost_set_task(task, 0, 5).train().labels.size() == task.train().labels.size());

  // An episode's f is the cost set's true objective; its x^(0) and minibatches are the seed's.
  MlpL2lEpisode episode(task, cost, 11);
  Eigen::VectorXd x0(task.dimension());
  episode.initial_point(x0);
  CHECK(x0 == task.mlp().initial_parameters(11));
  CHECK(episode.true_objective(x0) == cost.true_objective(x0));
  CHECK(episode.true_objective(x0) != task.true_objective(x0));
}

}  // namespace l2o
