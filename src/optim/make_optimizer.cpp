#include "optim/make_optimizer.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/conjugate_gradient.hpp"
#include "optim/lbfgs.hpp"
#include "optim/momentum.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

namespace l2o {
namespace {

using Builder = std::unique_ptr<Optimizer> (*)(const std::map<std::string, double>&);

template <class OptimizerType>
std::unique_ptr<Optimizer> build(const std::map<std::string, double>& hyperparameters) {
  using Parameters = typename OptimizerType::Parameters;
  return std::make_unique<OptimizerType>(
      parameters_from_map<Parameters>(hyperparameters, Parameters::optimizer));
}

constexpr std::array<std::pair<std::string_view, Builder>, 7> kBuilders{{
    {SgdParameters::optimizer, &build<Sgd>},
    {MomentumParameters::optimizer, &build<Momentum>},
    {ConjugateGradientParameters::optimizer, &build<ConjugateGradient>},
    {LbfgsParameters::optimizer, &build<Lbfgs>},
    {AdamParameters::optimizer, &build<Adam>},
    {AdagradParameters::optimizer, &build<Adagrad>},
    {RmspropParameters::optimizer, &build<Rmsprop>},
}};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(std::string_view name,
                                          const std::map<std::string, double>& hyperparameters) {
  for (const auto& [known, builder] : kBuilders) {
    if (known == name) return builder(hyperparameters);
  }
  std::string message = "make_optimizer: unknown optimizer \"" + std::string(name) + "\"; valid:";
  for (const auto& known : optimizer_names()) message += " " + known;
  throw std::invalid_argument(message);
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const auto& entry : kBuilders) names.emplace_back(entry.first);
  return names;
}

}  // namespace l2o
