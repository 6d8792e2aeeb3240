// `l2o evaluate` with a GPS model in evaluate.learned (gps-spec.md §15): the model, written as
// `l2o meta-train --method gps` writes it (policies of a 48-8-10 net), runs on an 8-8-10 net for
// 450 iterations (beyond the training horizon) through the harness and is recorded under "psd"
// with its model file; so does an 8-8-8-10 net, one hidden layer deeper than the model's; a damaged
// model fails with one line and no output. Both feature sets.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>

#include "app/run_l2o.hpp"
#include "eval/run_record_io.hpp"
#include "gps/psd_test_model.hpp"
#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using l2o::test::run_l2o;

// `l2o evaluate` of the learned model `model` alone on mnist with `architecture`, 450 iterations.
l2o::test::Outcome evaluate(const fs::path& dir, const std::string& model,
                            const std::string& architecture) {
  return run_l2o("evaluate --quiet --data-dir " + l2o::test::data_dir() + " --output " +
                 (dir / "results.h5").string() + " --set 'evaluate.learned=[\"" + model +
                 "\"]' --set 'evaluate.optimizers=[]' --set 'evaluate.datasets=[\"mnist\"]'"
                 " --set 'evaluate.architectures=[\"" +
                 architecture +
                 "\"]' --set 'evaluate.iterations=[450]' --set evaluate.record_every=50"
                 " --set evaluate.seeds=1");
}

}  // namespace

TEST_CASE("evaluate: a psd model runs on another net through the harness, bad input fails",
          "[app][psd]") {
  const l2o::Mlp trained_on(48, {8}, 10);
  const auto policies = l2o::test::test_gps_policies<float>(trained_on, 8, 501);
  for (const l2o::FeatureSet features : {l2o::FeatureSet::paper, l2o::FeatureSet::scale_free}) {
    const std::string name = l2o::feature_set_name(features);
    INFO(name);
    const fs::path dir = l2o::test::scratch_dir("evaluate-psd-" + name);
    const std::string model = (dir / "model.h5").string();
    l2o::test::write_test_model(model, policies, features, trained_on);

    const auto works = evaluate(dir, model, "8-8");
    INFO(works.output);
    REQUIRE(works.exit_code == 0);
    const std::string optimizer = features == l2o::FeatureSet::paper ? "psd" : "psd_scale_free";
    CHECK(works.output.find("  " + optimizer + " ") != std::string::npos);
    const auto group = l2o::open_hdf5_for_reading((dir / "results.h5").string())
                           .open_group("tasks")
                           .open_group("mnist_8-8_b64_t450")
                           .open_group(optimizer);
    CHECK(group.string_attribute("optimizer") == optimizer);
    CHECK(group.string_attribute("model") == model);
    CHECK(group.double_attribute("optimizer.scale_free_features") ==
          (features == l2o::FeatureSet::scale_free ? 1.0 : 0.0));
    CHECK(group.double_attribute("optimizer.layer1.weights.hidden_size") == 8.0);
    const auto record = l2o::read_run_record(group.open_group("run_0000"));
    CHECK(record.diverged_at == -1);
    REQUIRE(record.true_objective.size() == 10);  // t = 0, 50, ..., 450
    CHECK(std::isfinite(record.true_objective.back()));
    CHECK(record.true_objective.back() != record.true_objective.front());
    fs::remove(dir / "results.h5");

    // A net one hidden layer deeper than the model's: its middle layer takes the first layer's
    // policy (psd_optimizer.hpp), so it runs.
    const auto deeper = evaluate(dir, model, "8-8-8");
    INFO(deeper.output);
    REQUIRE(deeper.exit_code == 0);
    const auto deeper_record =
        l2o::read_run_record(l2o::open_hdf5_for_reading((dir / "results.h5").string())
                                 .open_group("tasks")
                                 .open_group("mnist_8-8-8_b64_t450")
                                 .open_group(optimizer)
                                 .open_group("run_0000"));
    CHECK(deeper_record.diverged_at == -1);
    CHECK(std::isfinite(deeper_record.true_objective.back()));
    CHECK(deeper_record.true_objective.back() != deeper_record.true_objective.front());
    fs::remove(dir / "results.h5");
  }

  const fs::path dir = l2o::test::scratch_dir("evaluate-psd-damaged");
  const std::string damaged = (dir / "damaged.h5").string();
  {
    l2o::AtomicHdf5File file(damaged);
    const auto model = file.root().create_group("model");
    l2o::write_gps_model(model, policies, l2o::FeatureSet::paper, trained_on);
    H5Ldelete(model.open_group("group_2").id(), "weights", H5P_DEFAULT);
    file.commit();
  }
  const auto outcome = evaluate(dir, damaged, "8-8");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output ==
        "l2o: error: evaluate.learned: " + damaged + ":/model/group_2/weights: dataset missing\n");
  CHECK_FALSE(fs::exists(dir / "results.h5"));
}
