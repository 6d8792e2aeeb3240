#include "gps/loop/gps_params.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "objective/cost_set.hpp"

namespace l2o {

std::string step_control_name(StepControl control) {
  return control == StepControl::per_group ? "per_group" : "global";
}

StepControl parse_step_control(std::string_view name) {
  if (name == "per_group") return StepControl::per_group;
  if (name == "global") return StepControl::global;
  throw std::invalid_argument("unknown step control \"" + std::string(name) +
                              "\"; use \"per_group\" or \"global\"");
}

std::string own_step_response_name(OwnStepResponse response) {
  switch (response) {
    case OwnStepResponse::fitted:
      return "fitted";
    case OwnStepResponse::matched:
      return "matched";
    case OwnStepResponse::privileged:
      return "privileged";
  }
  throw std::logic_error("own_step_response_name: unknown OwnStepResponse");
}

OwnStepResponse parse_own_step_response(std::string_view name) {
  if (name == "fitted") return OwnStepResponse::fitted;
  if (name == "matched") return OwnStepResponse::matched;
  if (name == "privileged") return OwnStepResponse::privileged;
  throw std::invalid_argument("unknown own-step response \"" + std::string(name) +
                              "\"; use \"fitted\", \"matched\" or \"privileged\"");
}

std::string initial_controller_name(InitialControllerKind kind) {
  switch (kind) {
    case InitialControllerKind::grid:
      return "grid";
    case InitialControllerKind::adagrad:
      return "adagrad";
    case InitialControllerKind::rmsprop:
      return "rmsprop";
  }
  throw std::logic_error("initial_controller_name: unknown InitialControllerKind");
}

InitialControllerKind parse_initial_controller(std::string_view name) {
  if (name == "grid") return InitialControllerKind::grid;
  if (name == "adagrad") return InitialControllerKind::adagrad;
  if (name == "rmsprop") return InitialControllerKind::rmsprop;
  throw std::invalid_argument("unknown initial controller \"" + std::string(name) +
                              "\"; use \"grid\", \"adagrad\" or \"rmsprop\"");
}

void InitialControllerParams::check() const {
  const std::string name = "InitialControllerParams.";
  if (kind != InitialControllerKind::grid) {
    if (group_learning_rates.empty()) {
      throw std::invalid_argument(name + "group_learning_rates must not be empty for the " +
                                  initial_controller_name(kind) + " start");
    }
    for (double rate : group_learning_rates) {
      if (!(rate > 0.0) || !std::isfinite(rate)) {
        throw std::invalid_argument(name + "group_learning_rates must be finite and > 0");
      }
    }
  }
  if (learning_rates.empty())
    throw std::invalid_argument(name + "learning_rates must not be empty");
  for (double alpha : learning_rates) {
    if (!(alpha > 0.0) || !std::isfinite(alpha)) {
      throw std::invalid_argument(name + "learning_rates must be finite and > 0");
    }
  }
  if (momentums.empty()) throw std::invalid_argument(name + "momentums must not be empty");
  for (double beta : momentums) {
    if (!(beta >= 0.0 && beta < 1.0)) {
      throw std::invalid_argument(name + "momentums must lie in [0, 1)");
    }
  }
  if (pilot_rollouts < 1) throw std::invalid_argument(name + "pilot_rollouts must be >= 1");
  if (score_stride < 1) throw std::invalid_argument(name + "score_stride must be >= 1");
  if (!(divergence_factor > 1.0)) {
    throw std::invalid_argument(name + "divergence_factor must be > 1");
  }
}

void GpsParams::check() const {
  if (horizon < 2) throw std::invalid_argument("GpsParams.horizon must be >= 2");
  if (rollouts < 1) throw std::invalid_argument("GpsParams.rollouts must be >= 1");
  if (max_recorded < 1) throw std::invalid_argument("GpsParams.max_recorded must be >= 1");
  if (inner_iterations < 1) throw std::invalid_argument("GpsParams.inner_iterations must be >= 1");
  if (noise_free_rollouts < 0) {
    throw std::invalid_argument("GpsParams.noise_free_rollouts must be >= 0");
  }
  if (evaluation_rollouts < 1) {
    throw std::invalid_argument("GpsParams.evaluation_rollouts must be >= 1");
  }
  if (cost_set_examples < 0)
    throw std::invalid_argument("GpsParams.cost_set_examples must be >= 0");
  if (!(exploration_std > 0.0) || !std::isfinite(exploration_std)) {
    throw std::invalid_argument("GpsParams.exploration_std must be finite and > 0");
  }
  if (!(initial_eta > 0.0)) throw std::invalid_argument("GpsParams.initial_eta must be > 0");
  if (!(initial_nu > 0.0)) throw std::invalid_argument("GpsParams.initial_nu must be > 0");
  // Sigma^pi is the initial exploration variance (§8.6); the two copies must agree (to rounding,
  // so a configuration may write 0.16 for 0.4^2).
  const double policy_variance = exploration_std * exploration_std;
  const auto differs = [policy_variance](double value) {
    return !(std::abs(value - policy_variance) <= 1e-12 * policy_variance);
  };
  if (differs(linearisation.policy_variance)) {
    throw std::invalid_argument(
        "GpsParams.linearisation.policy_variance must equal exploration_std^2 (§8.6)");
  }
  if (differs(duals.policy_variance)) {
    throw std::invalid_argument(
        "GpsParams.duals.policy_variance must equal exploration_std^2 (§8.6)");
  }
  initial_controller.check();
  if (reuse_previous_samples && dynamics.prior != DynamicsPrior::gmm) {
    throw std::invalid_argument(
        "GpsParams.reuse_previous_samples (gps.sample_reuse = \"previous\") needs the GMM "
        "dynamics prior (gps.dynamics_prior = \"gmm\"): the window prior has no sample set to "
        "extend");
  }
  if (initial_controller.kind != InitialControllerKind::grid && features != FeatureSet::adaptive) {
    throw std::invalid_argument(
        "GpsParams.initial_controller " + initial_controller_name(initial_controller.kind) +
        " acts on the AdaGrad/RMSprop directions: it needs features = adaptive");
  }
  dynamics.check();
  cost.check();
  linearisation.check();
  dgd.check();
  step_size.check();
  duals.check();
  policy.check();
  policy_training.check();
}

int GpsParams::state_dim() const {
  return state_dimension(features) + (privileged_gradient() ? 1 : 0);
}

LstmPolicyParams policy_params(const GpsParams& params) {
  LstmPolicyParams policy = params.policy;
  policy.input_size = observation_dimension(params.features);
  return policy;
}

MlpTask gps_cost_set(const MlpTask& task, const GpsParams& params, std::uint64_t seed) {
  return cost_set_task(task, params.cost_set_examples, seed);
}

}  // namespace l2o
