#include "eval/task_spec.hpp"

#include "data/catalog.hpp"
#include "data/projection.hpp"

namespace l2o {

std::string TaskSpec::label(int num_classes) const {
  std::string architecture = std::to_string(input_dim);
  for (int h : hidden) architecture += "-" + std::to_string(h);
  const std::string units = activation == Activation::relu ? "" : " " + activation_name(activation);
  return dataset + " " + architecture + "-" + std::to_string(num_classes) + units + " batch " +
         std::to_string(batch_size);
}

MlpTask make_task(const TaskSpec& spec) {
  const Dataset train = load_dataset(spec.data_dir, spec.dataset, "train", spec.num_classes);
  require_projection_memory(train, spec.input_dim);
  const RandomProjection projection(train, spec.input_dim, spec.projection_seed);
  auto data = std::make_shared<const ProjectedData>(projection.apply(train));
  return {data, Mlp(spec.input_dim, spec.hidden, train.num_classes, spec.l2, spec.activation),
          spec.batch_size};
}

}  // namespace l2o
