#include "objective/cost_set.hpp"

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "util/random_stream.hpp"

namespace l2o {

MlpTask cost_set_task(const MlpTask& task, std::int64_t examples, std::uint64_t seed) {
  const ProjectedData& train = task.train();
  const auto count = static_cast<std::int64_t>(train.labels.size());
  if (examples <= 0 || examples >= count) return task;
  std::vector<int> rows(static_cast<std::size_t>(count));
  std::iota(rows.begin(), rows.end(), 0);
  RandomStream stream(seed, "cost-set");
  stream.shuffle(rows);
  rows.resize(static_cast<std::size_t>(examples));
  std::sort(rows.begin(), rows.end());  // original order: sequential reads
  auto subset = std::make_shared<ProjectedData>();
  subset->features.resize(examples, train.features.cols());
  subset->labels.resize(rows.size());
  subset->num_classes = train.num_classes;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    subset->features.row(static_cast<Eigen::Index>(i)) = train.features.row(rows[i]);
    subset->labels[i] = train.labels[static_cast<std::size_t>(rows[i])];
  }
  return {std::move(subset), task.mlp(),
          std::min<int>(task.batch_size(), static_cast<int>(examples))};
}

}  // namespace l2o
