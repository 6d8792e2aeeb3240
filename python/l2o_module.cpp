// l2o._l2o: a learned-optimizer model file (`l2o meta-train`'s output, psd, l2l or es) as an object
// that steps numpy parameter vectors. It is the C++ optimizer itself (load_learned_optimizer),
// fed the caller's loss and gradient through a PrecomputedGradientOracle, so a Python training
// loop takes exactly the steps `l2o train` / `l2o evaluate` would on the same gradients.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "eval/learned_optimizer.hpp"
#include "gps/es/es_controller.hpp"
#include "gps/es/es_model_file.hpp"
#include "gps/policy/psd_optimizer.hpp"
#include "l2l/l2l_optimizer.hpp"
#include "optim/precomputed_gradient_oracle.hpp"
#include "util/error.hpp"

namespace py = pybind11;

namespace {

// A parameter tensor of the caller's net: its role "layer<k>.weights" / "layer<k>.biases" and
// its shape (weights: out x in...).
using TensorLayout = std::tuple<std::string, std::vector<Eigen::Index>>;

// The ParameterGroups of tensors laid out one after the other. Throws std::invalid_argument on a
// role that is not "layer<k>.weights" or "layer<k>.biases" with k >= 1.
std::vector<l2o::ParameterGroup> parameter_groups(const std::vector<TensorLayout>& tensors) {
  std::vector<l2o::ParameterGroup> groups;
  Eigen::Index offset = 0;
  for (const auto& [role, shape] : tensors) {
    l2o::ParameterGroup group;
    group.role = role;
    const std::size_t dot = role.find('.');
    const std::string kind = dot == std::string::npos ? "" : role.substr(dot + 1);
    try {
      std::size_t digits = 0;
      if (role.rfind("layer", 0) == 0 && dot != std::string::npos)
        group.layer = std::stoi(role.substr(5, dot - 5), &digits);
      if (digits != dot - 5) group.layer = 0;
    } catch (const std::exception&) {
      group.layer = 0;
    }
    if (group.layer < 1 || (kind != "weights" && kind != "biases"))
      throw std::invalid_argument("role \"" + role +
                                  "\": give \"layer<k>.weights\" or \"layer<k>.biases\", k >= 1");
    group.is_bias = kind == "biases";
    group.offset = offset;
    group.size = 1;
    for (const Eigen::Index extent : shape) group.size *= extent;
    group.rows = shape.empty() ? 1 : static_cast<int>(shape.front());
    group.cols =
        shape.empty() ? 1 : static_cast<int>(group.size / std::max<Eigen::Index>(1, shape.front()));
    offset += group.size;
    groups.push_back(group);
  }
  return groups;
}

// The model file's optimizer with the state of one run.
class LearnedOptimizer {
 public:
  explicit LearnedOptimizer(const std::string& path)
      : optimizer_(l2o::load_learned_optimizer(path)) {}

  [[nodiscard]] std::string name() const { return optimizer_->name(); }
  [[nodiscard]] std::string method() const {
    if (psd() != nullptr) return l2o::kPsdMethod;
    return es() != nullptr ? l2o::kEsMethod : "l2l";
  }
  // The roles the model has policies for (psd); empty for l2l, whose one LSTM moves every
  // coordinate, and for es, whose controllers follow the groups' order.
  [[nodiscard]] std::vector<std::string> roles() const {
    std::vector<std::string> roles;
    if (const l2o::PsdOptimizer* model = psd())
      for (const l2o::GpsModelGroup& group : model->model().groups) roles.push_back(group.role);
    return roles;
  }
  [[nodiscard]] l2o::HyperparameterList hyperparameters() const {
    return optimizer_->hyperparameters();
  }
  void start(const std::vector<TensorLayout>& tensors) {
    optimizer_->start(parameter_groups(tensors));
  }
  Eigen::VectorXd step(Eigen::VectorXd iterate, double loss, const Eigen::VectorXd& gradient) {
    if (gradient.size() != iterate.size())
      throw std::invalid_argument("step: the gradient has " + std::to_string(gradient.size()) +
                                  " values, the iterate " + std::to_string(iterate.size()));
    l2o::PrecomputedGradientOracle oracle(gradient, loss);
    optimizer_->step(iterate, oracle);
    return iterate;
  }
  [[nodiscard]] Eigen::VectorXd run_state() const {
    if (const l2o::PsdOptimizer* model = psd()) return model->run_state();
    if (const l2o::EsOptimizer* model = es()) return model->run_state();
    return l2l().run_state();
  }
  void restore_run_state(const Eigen::VectorXd& state) {
    if (auto* model = dynamic_cast<l2o::PsdOptimizer*>(optimizer_.get()))
      return model->restore_run_state(state);
    if (auto* model = dynamic_cast<l2o::EsOptimizer*>(optimizer_.get()))
      return model->restore_run_state(state);
    dynamic_cast<l2o::L2lOptimizer&>(*optimizer_).restore_run_state(state);
  }

 private:
  [[nodiscard]] const l2o::PsdOptimizer* psd() const {
    return dynamic_cast<const l2o::PsdOptimizer*>(optimizer_.get());
  }
  [[nodiscard]] const l2o::EsOptimizer* es() const {
    return dynamic_cast<const l2o::EsOptimizer*>(optimizer_.get());
  }
  [[nodiscard]] const l2o::L2lOptimizer& l2l() const {
    return dynamic_cast<const l2o::L2lOptimizer&>(*optimizer_);
  }
  std::unique_ptr<l2o::Optimizer> optimizer_;
};

}  // namespace

PYBIND11_MODULE(_l2o, module) {
  module.doc() = "l2o's learned optimizers (psd, l2l) on numpy parameter vectors";
  py::register_exception<l2o::InputError>(module, "InputError", PyExc_ValueError);
  py::class_<LearnedOptimizer>(module, "LearnedOptimizer", R"(
A learned optimizer read from a model file of `l2o meta-train` (method psd, l2l or es).
start(layout) begins a run on a parameter vector made of tensors laid out one after the other,
layout = [(role, shape), ...] with role "layer<k>.weights" or "layer<k>.biases" of the net
(psd picks each tensor's policy from its role: first layer, last layer, hidden layers in between);
then step(x, loss, gradient) returns the next iterate from the minibatch loss and gradient at x.
The LSTM memories and feature history are kept in the object between steps.)")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_property_readonly("name", &LearnedOptimizer::name)
      .def_property_readonly("method", &LearnedOptimizer::method)
      .def_property_readonly("roles", &LearnedOptimizer::roles)
      .def_property_readonly("hyperparameters", &LearnedOptimizer::hyperparameters)
      .def("start", &LearnedOptimizer::start, py::arg("layout"))
      .def("step", &LearnedOptimizer::step, py::arg("iterate"), py::arg("loss"),
           py::arg("gradient"))
      .def("run_state", &LearnedOptimizer::run_state,
           "The run's memories and history as one float64 vector (after start)")
      .def("restore_run_state", &LearnedOptimizer::restore_run_state, py::arg("state"),
           "Continues a run saved by run_state() (after start with the same layout)");
}
