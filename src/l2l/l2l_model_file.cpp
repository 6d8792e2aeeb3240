#include "l2l/l2l_model_file.hpp"

#include <stdexcept>

#include "util/error.hpp"

namespace l2o {

void write_lstm_shape(const Hdf5Group& group, const LstmShape& shape) {
  group.set_attribute("input_size", static_cast<std::int64_t>(shape.input_size));
  group.set_attribute("hidden_size", static_cast<std::int64_t>(shape.hidden_size));
  group.set_attribute("num_layers", static_cast<std::int64_t>(shape.num_layers));
  group.set_attribute("output_size", static_cast<std::int64_t>(shape.output_size));
}

LstmShape read_lstm_shape(const Hdf5Group& group) {
  LstmShape shape;
  const auto read = [&](const char* name) {
    const std::int64_t value = group.integer_attribute(name);
    if (value < 1 || value > 1000000)
      throw InputError(group.where(name) + ": LSTM size " + std::to_string(value) +
                       " out of range; the file is damaged or not an l2o model");
    return static_cast<Eigen::Index>(value);
  };
  shape.input_size = read("input_size");
  shape.hidden_size = read("hidden_size");
  shape.num_layers = read("num_layers");
  shape.output_size = read("output_size");
  return shape;
}

void write_l2l_model(const Hdf5Group& group, const LstmParameters<double>& parameters,
                     const L2lNetworkParams& params) {
  group.set_attribute("method", std::string(kL2lMethod));
  write_lstm_shape(group, parameters.shape());
  group.set_attribute("preprocess_p", params.preprocess_p);
  group.set_attribute("output_scale", params.output_scale);
  const auto& values = parameters.values();
  group.write("parameters", values.data(), {static_cast<std::uint64_t>(values.size())});
}

std::unique_ptr<L2lOptimizer> read_l2l_model(const Hdf5Group& group) {
  const LstmShape shape = read_lstm_shape(group);
  Hdf5Shape stored;
  const std::vector<double> values = group.read_doubles("parameters", &stored);
  if (stored.size() != 1 || static_cast<Eigen::Index>(values.size()) != shape.parameter_count())
    throw InputError(group.where("parameters") + ": " + std::to_string(values.size()) +
                     " values, but an LSTM of the stored shape has " +
                     std::to_string(shape.parameter_count()) + "; the model file is damaged");
  L2lNetworkParams params;
  params.preprocess_p = group.double_attribute("preprocess_p");
  params.output_scale = group.double_attribute("output_scale");
  LstmParameters<double> parameters(shape);
  parameters.values() = Eigen::Map<const Eigen::VectorXd>(values.data(), shape.parameter_count());
  if (!parameters.values().allFinite())
    throw InputError(group.where("parameters") + ": non-finite values; the model file is damaged");
  try {
    return std::make_unique<L2lOptimizer>(std::move(parameters), params);
  } catch (const std::invalid_argument& e) {
    throw InputError(group.where("") + ": " + e.what() + "; not a usable L2L model");
  }
}

}  // namespace l2o
