#include "l2l/l2l_checkpoint_file.hpp"

#include "l2l/l2l_model_file.hpp"
#include "util/error.hpp"

namespace l2o {
namespace {

void write_vector(const Hdf5Group& group, const std::string& name, const Eigen::VectorXd& v) {
  group.write(name, v.data(), {static_cast<std::uint64_t>(v.size())});
}

Eigen::VectorXd read_vector(const Hdf5Group& group, const std::string& name, Eigen::Index size) {
  const std::vector<double> values = group.read_doubles(name);
  if (static_cast<Eigen::Index>(values.size()) != size)
    throw InputError(group.where(name) + ": " + std::to_string(values.size()) +
                     " values, expected " + std::to_string(size));
  return Eigen::Map<const Eigen::VectorXd>(values.data(), size);
}

std::string shape_text(const LstmShape& s) {
  return std::to_string(s.input_size) + "-" + std::to_string(s.hidden_size) + "x" +
         std::to_string(s.num_layers) + "-" + std::to_string(s.output_size);
}

}  // namespace

void write_l2l_checkpoint(const Hdf5Group& group, const L2lTrainerState& state) {
  group.set_attribute("method", std::string(kL2lMethod));
  write_lstm_shape(group, state.parameters.shape());
  group.set_attribute("episodes_done", state.episodes_done);
  group.set_attribute("adam_iteration", state.adam.iteration);
  group.set_attribute("best_validation_loss", state.best_validation_loss);
  write_vector(group, "parameters", state.parameters.values());
  write_vector(group, "adam_first_moment", state.adam.first_moment);
  write_vector(group, "adam_second_moment", state.adam.second_moment);
  write_vector(group, "best_parameters", state.best_parameters.values());
  group.write("validation_losses", state.validation_losses);
  group.write("episode_meta_losses", state.episode_meta_losses);
}

L2lTrainerState read_l2l_checkpoint(const Hdf5Group& group, const LstmShape& shape) {
  const std::string method = group.string_attribute("method");
  if (method != kL2lMethod)
    throw InputError(group.where("") + ": a checkpoint of method \"" + method +
                     "\", not \"l2l\"; resume it with --method " + method);
  const LstmShape stored = read_lstm_shape(group);
  if (shape_text(stored) != shape_text(shape))
    throw InputError(group.where("") + ": LSTM shape " + shape_text(stored) + ", this run uses " +
                     shape_text(shape) + kDamagedCheckpoint);
  // The identity fits; anything missing or malformed from here on is damage.
  try {
    const Eigen::Index n = shape.parameter_count();
    L2lTrainerState state{
        LstmParameters<double>(shape), {}, 0, LstmParameters<double>(shape), 0.0, {}, {}};
    state.parameters.values() = read_vector(group, "parameters", n);
    state.adam.first_moment = read_vector(group, "adam_first_moment", n);
    state.adam.second_moment = read_vector(group, "adam_second_moment", n);
    state.adam.iteration = group.integer_attribute("adam_iteration");
    state.episodes_done = group.integer_attribute("episodes_done");
    state.best_parameters.values() = read_vector(group, "best_parameters", n);
    state.best_validation_loss = group.double_attribute("best_validation_loss");
    state.validation_losses = group.read_doubles("validation_losses");
    state.episode_meta_losses = group.read_doubles("episode_meta_losses");
    return state;
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + kDamagedCheckpoint);
  }
}

}  // namespace l2o
