// Tuned AdaGrad and RMSprop are members of the ES controller family exactly (issue 19 item 1):
// the member's run through the harness of `l2o train` (run_optimizer) equals the run of the
// hand-designed optimizer: true objectives and minibatch losses to 1e-12 relative over the whole
// 400-step horizon. (Not bitwise: the member updates group segments, whose different alignment
// lets the compiler vectorise and contract the same expressions differently.)
#include <catch2/catch.hpp>
#include <cmath>

#include "data/catalog.hpp"
#include "data/projection.hpp"
#include "eval/run_optimizer.hpp"
#include "gps/es/es_controller.hpp"
#include "optim/adagrad.hpp"
#include "optim/rmsprop.hpp"
#include "test_support.hpp"

namespace l2o {
namespace {

// Max relative difference of two equally long series.
double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::abs(b[i]));
  return worst;
}

// Both recorded series of the member's run agree with the reference's to 1e-12 relative.
void check_same_run(const RunRecord& member, const RunRecord& reference) {
  CHECK(max_relative_difference(member.true_objective, reference.true_objective) <= 1e-12);
  CHECK(max_relative_difference(member.minibatch_objective, reference.minibatch_objective) <=
        1e-12);
}

}  // namespace

TEST_CASE("es: tuned AdaGrad and RMSprop are members exactly", "[eval][es]") {
  // MNIST-48 with a 48-8-10 net (4 groups), minibatch 64, the whole 400-step horizon.
  static const MlpTask task = [] {
    const auto train = load_dataset(test::data_dir(), "mnist", "train");
    auto data = std::make_shared<ProjectedData>(RandomProjection(train, 48, 1).apply(train));
    return MlpTask(data, Mlp(48, {8}, 10), 64);
  }();
  const std::size_t groups = task.mlp().groups().size();
  const std::vector<double> knots = es_knot_times(3, 400);
  SECTION("adagrad, lr 0.1") {
    Adagrad adagrad(AdagradParameters{0.1, 0.0, 1e-10});
    EsOptimizer member(adagrad_controller(0.1, 1e-10, knots, groups));
    const RunRecord reference = run_optimizer(task, adagrad, 5, 400, 100);
    const RunRecord psi = run_optimizer(task, member, 5, 400, 100);
    check_same_run(psi, reference);
  }
  SECTION("rmsprop, lr 0.00316228, alpha 0.999") {
    RmspropParameters p;
    p.learning_rate = 0.00316228;
    p.alpha = 0.999;
    Rmsprop rmsprop(p);
    EsOptimizer member(rmsprop_controller(p.learning_rate, p.alpha, p.epsilon, knots, groups));
    const RunRecord reference = run_optimizer(task, rmsprop, 5, 400, 100);
    const RunRecord psi = run_optimizer(task, member, 5, 400, 100);
    check_same_run(psi, reference);
  }
}

}  // namespace l2o
