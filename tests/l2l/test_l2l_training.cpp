// gps-spec.md §16.2 meta-training: Adam on phi over truncated episodes; resumable state;
// meta-batches shared by a team give the same numbers for any team size.
#include <barrier>
#include <catch2/catch.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "l2l/l2l_training.hpp"
#include "l2l_test_tasks.hpp"

namespace l2o {
namespace {

L2lTrainingParams small_schedule() {
  L2lTrainingParams params;
  params.episodes = 6;
  params.horizon = 40;
  params.truncation = 10;
  params.validation_interval = 2;
  params.validation_episodes = 3;
  return params;
}

L2lTrainer small_trainer(const L2lTrainingParams& params, L2lTeam team = {}) {
  return L2lTrainer(initial_l2l_parameters(l2l_shape(), 10), {}, params,
                    test::quadratic_family(6, 51), test::quadratic_family(6, 52), std::move(team));
}

void check_same_state(const L2lTrainerState& a, const L2lTrainerState& b) {
  CHECK(a.parameters.values() == b.parameters.values());
  CHECK(a.adam.first_moment == b.adam.first_moment);
  CHECK(a.adam.second_moment == b.adam.second_moment);
  CHECK(a.adam.iteration == b.adam.iteration);
  CHECK(a.episodes_done == b.episodes_done);
  CHECK(a.best_parameters.values() == b.best_parameters.values());
  CHECK(a.best_validation_loss == b.best_validation_loss);
  CHECK(a.validation_losses == b.validation_losses);
  CHECK(a.episode_meta_losses == b.episode_meta_losses);
}

// An in-process team of `size` threads: allgather concatenates the members' vectors in member
// order (what dist/ does over MPI ranks).
class ThreadTeam {
 public:
  explicit ThreadTeam(int size)
      : size_(size), slots_(static_cast<std::size_t>(size)), sync_(size) {}
  L2lTeam member(int rank) {
    return {rank, size_, [this, rank](const std::vector<double>& local) {
              slots_[static_cast<std::size_t>(rank)] = local;
              sync_.arrive_and_wait();
              std::vector<double> all;
              for (const auto& slot : slots_) all.insert(all.end(), slot.begin(), slot.end());
              sync_.arrive_and_wait();  // nobody overwrites a slot before everyone has read it
              return all;
            }};
  }

 private:
  int size_;
  std::vector<std::vector<double>> slots_;
  std::barrier<> sync_;
};

}  // namespace

TEST_CASE("L2L meta-training reduces the validation loss on random quadratics", "[l2l]") {
  const Eigen::Index d = 10;
  L2lTrainingParams params;
  params.episodes = 60;  // x 5 truncations = 300 meta-iterations
  params.horizon = 100;
  params.truncation = 20;
  params.learning_rate = 3e-3;
  params.validation_interval = 20;
  params.validation_episodes = 5;
  const auto validation = test::quadratic_family(d, 42);
  L2lTrainer trainer(initial_l2l_parameters(l2l_shape(), 9), {}, params,
                     test::quadratic_family(d, 41), validation);
  trainer.run_until(params.episodes);
  const L2lTrainerState& result = trainer.state();

  REQUIRE(trainer.finished());
  REQUIRE(result.validation_losses.size() == 4);
  REQUIRE(result.episode_meta_losses.size() == 60);
  CHECK(result.adam.iteration == 300);
  INFO("validation losses " << result.validation_losses[0] << " ... "
                            << result.best_validation_loss);
  CHECK(result.best_validation_loss < 0.5 * result.validation_losses[0]);
  // The best phi's loss is the mean true-objective loss computed independently.
  L2lNetwork network;
  double sum = 0.0;
  for (int v = 0; v < 5; ++v)
    sum += l2l_episode_loss(network, result.best_parameters, *validation(v), 100);
  CHECK(sum / 5 == result.best_validation_loss);
}

TEST_CASE("L2L trainer: export after k episodes, import, continue == uninterrupted", "[l2l]") {
  const L2lTrainingParams params = small_schedule();
  L2lTrainer straight = small_trainer(params);
  straight.run_until(params.episodes);
  for (const std::int64_t k : {1, 2, 5}) {
    INFO("stopped after " << k << " episodes");
    L2lTrainer first = small_trainer(params);
    first.run_until(k);
    REQUIRE(first.state().episodes_done == k);
    const L2lTrainerState saved = first.state();
    L2lTrainer second = small_trainer(params);
    second.import_state(saved);
    second.run_until(params.episodes);
    check_same_state(second.state(), straight.state());
  }
  // The run really moved: phi changed and the history is complete.
  CHECK(straight.state().parameters.values() != initial_l2l_parameters(l2l_shape(), 10).values());
  CHECK(straight.state().validation_losses.size() == 4);
}

TEST_CASE("L2L trainer: a meta-batch shared by 1, 2 or 3 members gives identical numbers",
          "[l2l]") {
  L2lTrainingParams params = small_schedule();
  params.episodes_per_update = 2;
  L2lTrainer alone = small_trainer(params);
  alone.run_until(params.episodes);
  CHECK(alone.state().adam.iteration == 3 * 4);  // 3 meta-batches x 4 truncations
  for (const int size : {2, 3}) {
    INFO(size << " members");
    ThreadTeam team(size);
    std::vector<std::optional<L2lTrainerState>> states(static_cast<std::size_t>(size));
    std::vector<std::thread> members;
    for (int rank = 0; rank < size; ++rank)
      members.emplace_back([&, rank] {
        L2lTrainer trainer = small_trainer(params, team.member(rank));
        trainer.run_until(params.episodes);
        states[static_cast<std::size_t>(rank)] = trainer.state();
      });
    for (auto& member : members) member.join();
    for (const auto& state : states) check_same_state(*state, alone.state());
  }
  // Averaging two episodes is not the single-episode schedule.
  L2lTrainer single = small_trainer(small_schedule());
  single.run_until(6);
  CHECK(single.state().parameters.values() != alone.state().parameters.values());
}

TEST_CASE("L2L trainer rejects a state that does not fit", "[l2l]") {
  const L2lTrainingParams params = small_schedule();
  L2lTrainer trainer = small_trainer(params);
  trainer.run_until(2);
  L2lTrainerState state = trainer.state();
  state.episode_meta_losses.pop_back();
  CHECK_THROWS_WITH(small_trainer(params).import_state(state), Catch::Contains("meta-loss"));
  state = trainer.state();
  state.adam.iteration += 1;
  CHECK_THROWS_WITH(small_trainer(params).import_state(state), Catch::Contains("Adam"));
  state = trainer.state();
  state.parameters = LstmParameters<double>(LstmShape{2, 10, 2, 1});
  CHECK_THROWS_WITH(small_trainer(params).import_state(state), Catch::Contains("phi"));
  state = trainer.state();
  state.episodes_done = 8;  // beyond E = 6
  CHECK_THROWS_WITH(small_trainer(params).import_state(state), Catch::Contains("episode counter"));
}

TEST_CASE("L2L training parameters are checked", "[l2l]") {
  L2lTrainingParams params;
  CHECK_NOTHROW(params.check());
  params.horizon = 30;  // not a multiple of 20
  CHECK_THROWS_WITH(params.check(), Catch::Contains("horizon"));
  params = {};
  params.validation_episodes = 0;
  CHECK_THROWS_WITH(params.check(), Catch::Contains("validation_episodes"));
  params = {};
  params.episodes_per_update = 3;  // 2500 is not a multiple of 3
  CHECK_THROWS_WITH(params.check(), Catch::Contains("episodes"));
  params.episodes = 300;  // validation_interval 100 is not either
  CHECK_THROWS_WITH(params.check(), Catch::Contains("validation_interval"));
}

}  // namespace l2o
