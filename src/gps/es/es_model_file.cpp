#include "gps/es/es_model_file.hpp"

#include <stdexcept>

#include "util/error.hpp"

namespace l2o {

void write_es_controller(const Hdf5Group& group, const EsController& psi) {
  group.set_attribute("method", std::string(kEsMethod));
  group.set_attribute("base_rate", psi.base_rate);
  group.set_attribute("second_moment_weight", psi.second_moment_weight);
  group.set_attribute("epsilon", psi.epsilon);
  const std::size_t groups = psi.groups.size();
  const std::size_t knots = psi.knot_times.size();
  std::vector<double> log_rate;
  std::vector<double> momentum;
  std::vector<double> decay;
  std::vector<double> size_exponent;
  std::vector<double> reference_size;
  for (const EsGroupController& g : psi.groups) {
    log_rate.insert(log_rate.end(), g.log_rate.begin(), g.log_rate.end());
    momentum.push_back(g.momentum);
    decay.push_back(g.decay);
    size_exponent.push_back(g.size.exponent);
    reference_size.push_back(g.size.reference_size);
  }
  group.write("knot_times", psi.knot_times);
  group.write("log_rate", log_rate.data(), {groups, knots});
  group.write("momentum", momentum);
  group.write("decay", decay);
  group.write("size_exponent", size_exponent);
  group.write("reference_size", reference_size);
}

EsController read_es_controller(const Hdf5Group& group) {
  EsController psi;
  psi.base_rate = group.double_attribute("base_rate");
  psi.second_moment_weight = group.double_attribute("second_moment_weight");
  psi.epsilon = group.double_attribute("epsilon");
  psi.knot_times = group.read_doubles("knot_times");
  Hdf5Shape shape;
  const std::vector<double> log_rate = group.read_doubles("log_rate", &shape);
  const std::vector<double> momentum = group.read_doubles("momentum");
  const std::vector<double> decay = group.read_doubles("decay");
  // Files before the size rule (issue 19 item 4) have none: a = 0, the factor 1.
  const std::vector<double> size_exponent = group.contains("size_exponent")
                                                ? group.read_doubles("size_exponent")
                                                : std::vector<double>(momentum.size(), 0.0);
  const std::vector<double> reference_size = group.contains("reference_size")
                                                 ? group.read_doubles("reference_size")
                                                 : std::vector<double>(momentum.size(), 1.0);
  const std::size_t knots = psi.knot_times.size();
  if (shape.size() != 2 || shape[1] != knots || shape[0] != momentum.size() ||
      decay.size() != momentum.size() || size_exponent.size() != momentum.size() ||
      reference_size.size() != momentum.size())
    throw InputError(
        group.where("log_rate") +
        ": shapes of log_rate [groups x knots], knot_times, momentum, decay, "
        "size_exponent and reference_size do not match; the model file is damaged, write it again");
  for (std::size_t g = 0; g < momentum.size(); ++g) {
    EsGroupController controller;
    controller.log_rate.assign(log_rate.begin() + static_cast<std::ptrdiff_t>(g * knots),
                               log_rate.begin() + static_cast<std::ptrdiff_t>((g + 1) * knots));
    controller.momentum = momentum[g];
    controller.decay = decay[g];
    controller.size = {size_exponent[g], reference_size[g]};
    psi.groups.push_back(std::move(controller));
  }
  try {
    psi.check(psi.groups.size());
  } catch (const std::invalid_argument& e) {
    throw InputError(group.where("") + ": " + e.what() +
                     "; the model file is damaged, write it again");
  }
  return psi;
}

}  // namespace l2o
