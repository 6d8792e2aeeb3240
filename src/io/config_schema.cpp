#include "io/config_schema.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "util/edit_distance.hpp"

namespace l2o {
namespace {

using I = std::int64_t;

KeySpec integer(std::string key, I value, I min, I max, std::string meaning) {
  return {std::move(key), KeyType::integer, value, std::move(meaning),
          double(min),    double(max),      true,  {}};
}
KeySpec real(std::string key, double value, double min, double max, std::string meaning) {
  return {std::move(key), KeyType::real, value, std::move(meaning), min, max, true, {}};
}
KeySpec text(std::string key, std::string value, std::string meaning,
             std::vector<std::string> choices = {}) {
  return {std::move(key), KeyType::string,   std::move(value), std::move(meaning), 0, 0,
          false,          std::move(choices)};
}
KeySpec integers(std::string key, std::vector<I> value, I min, I max, std::string meaning) {
  return {std::move(key),
          KeyType::integer_list,
          std::move(value),
          std::move(meaning),
          double(min),
          double(max),
          true,
          {}};
}

KeySpec texts(std::string key, std::vector<std::string> value, std::string meaning,
              std::vector<std::string> choices = {}) {
  return {std::move(key), KeyType::string_list, std::move(value), std::move(meaning), 0, 0,
          false,          std::move(choices)};
}
// A string list that may be empty (its default is []).
KeySpec optional_texts(std::string key, std::vector<std::string> value, std::string meaning,
                       std::vector<std::string> choices = {}) {
  KeySpec spec = texts(std::move(key), std::move(value), std::move(meaning), std::move(choices));
  spec.allow_empty = true;
  return spec;
}
KeySpec reals(std::string key, std::vector<double> value, double min, double max,
              std::string meaning) {
  return {
      std::move(key), KeyType::real_list, std::move(value), std::move(meaning), min, max, true, {}};
}
// A number list that may be empty (its default is []).
KeySpec optional_reals(std::string key, std::vector<double> value, double min, double max,
                       std::string meaning) {
  KeySpec spec = reals(std::move(key), std::move(value), min, max, std::move(meaning));
  spec.allow_empty = true;
  return spec;
}

// 10^(k/2) for k = first..last: a log grid at half-decade steps (tune defaults).
std::vector<double> half_decades(int first, int last) {
  std::vector<double> grid;
  for (int k = first; k <= last; ++k) grid.push_back(std::pow(10.0, 0.5 * k));
  return grid;
}

KeySpec numbers(std::string key, std::string meaning) {
  return {
      std::move(key), KeyType::number_table, NumberTable{}, std::move(meaning), 0, 0, false, {}};
}

constexpr double kHuge = std::numeric_limits<double>::max();

}  // namespace

const std::vector<KeySpec>& config_schema() {
  static const std::vector<KeySpec> schema = {
      // [run]: what every run records and where it writes.
      integer("run.seed", 1, 0, std::numeric_limits<I>::max(),
              "base seed; run r of a sweep uses streams keyed by (seed, purpose, r)"),
      integer("run.seeds", 2, 1, 100000, "number of independent runs (seeds seed .. seed+seeds-1)"),
      integer("run.iterations", 400, 0, 100000000,
              "iterations per run; one iteration consumes one fresh minibatch"),
      text("run.output", "results/train.h5", "HDF5 result file (written atomically)"),
      integer("run.progress_every", 50, 1, 100000000, "iterations between progress lines"),
      // [data]
      text("data.dir", "", "data directory (empty: $L2O_DATA_DIR, else data/)"),
      // [task]: the base-learner objective (paper §4).
      text("task.dataset", "mnist",
           "training data set: a built-in one, or your own as \"h5:<file>\" or \"idx:<prefix>\" "
           "(docs/data.md)",
           {"mnist", "fer2013", "cifar10", "cifar100", "cifar100_coarse", "h5:<file>",
            "idx:<prefix>"}),
      integer("task.num_classes", 0, 0, 256,
              "classes of an h5:/idx: data set (labels in 0..K-1); 0 = from the labels, every "
              "class 0..max present in train"),
      integer("task.input_dim", 48, 1, 100000, "random projection dimension (paper: 48 or 100)"),
      integers("task.hidden", {48}, 1, 100000, "hidden layer sizes, e.g. [48] or [200, 200]"),
      text("task.activation", "relu", "hidden units' nonlinearity (paper: relu)",
           {"relu", "tanh", "sigmoid"}),
      integer("task.batch_size", 64, 1, 1000000, "minibatch size (paper: 64 or 10)"),
      real("task.l2", 0.0, 0.0, kHuge, "L2 penalty 0.5*l2*|W|^2 on weight matrices (not biases)"),
      integer("task.projection_seed", 1, 0, std::numeric_limits<I>::max(),
              "seed of the Gaussian random projection (part of the task definition)"),
      // [optimizer]: the hand-designed optimizer of `l2o train`.
      text("optimizer.name", "sgd", "optimizer",
           {"sgd", "momentum", "cg", "lbfgs", "adam", "adagrad", "rmsprop"}),
      numbers("optimizer.hyperparameters",
              "hyperparameters by name, e.g. { learning_rate = 0.1 }; unset ones keep the "
              "optimizer's documented defaults"),
      text("optimizer.model", "",
           "a learned optimizer's model file (meta_train.model, e.g. models/psd_mnist48.h5) to "
           "run instead of optimizer.name; empty: the hand-designed optimizer.name"),
      // [tune]: `l2o tune`, grid search of the hand-designed optimizers on the [task] objective
      // (paper §4: "all algorithms are tuned on the training objective function").
      texts("tune.optimizers", {"sgd", "momentum", "cg", "lbfgs", "adam", "adagrad", "rmsprop"},
            "optimizers to tune", {"sgd", "momentum", "cg", "lbfgs", "adam", "adagrad", "rmsprop"}),
      integer("tune.seeds", 3, 1, 100000,
              "seeds per setting (run.seed .. run.seed+seeds-1, shared by every setting)"),
      integer("tune.record_every", 10, 1, 100000000,
              "iterations between true-objective evaluations (the last is always recorded)"),
      reals("tune.learning_rates", half_decades(-10, 2), 1e-300, kHuge,
            "learning-rate grid (sgd, momentum, adam, adagrad, rmsprop)"),
      reals("tune.momenta", {0.5, 0.9, 0.99}, 0.0, 0.999999, "momentum grid (momentum)"),
      reals("tune.adam_beta1", {0.5, 0.9, 0.99}, 0.0, 0.999999, "beta1 grid (adam)"),
      reals("tune.rmsprop_alpha", {0.9, 0.99, 0.999}, 0.0, 0.999999, "alpha grid (rmsprop)"),
      reals("tune.initial_steps", half_decades(-6, 2), 1e-300, kHuge,
            "initial line-search step grid (cg, lbfgs)"),
      text("tune.refine", "",
           "refinement (issue 19 item 5): the output of a coarse `l2o tune` of the same task, "
           "seeds and grid; its runs are kept and each optimizer's step length is refined around "
           "its coarse best (tune.refine_points_per_decade), crossed with its other grid; empty: "
           "the grid search itself"),
      integer("tune.refine_points_per_decade", 8, 3, 1000,
              "n of tune.refine: step lengths best*10^(k/n) for 0 < |k| < n/2 (8: k = -3..3), "
              "strictly within half a decade of the coarse best"),
      // [evaluate]: `l2o evaluate`, tuned optimizers on unseen tasks (paper §4, Figs. 1-5).
      text("evaluate.tuned", "results/tuned.h5",
           "output of `l2o tune` holding the chosen settings"),
      optional_texts("evaluate.optimizers",
                     {"sgd", "momentum", "cg", "lbfgs", "adam", "adagrad", "rmsprop"},
                     "hand-designed optimizers to compare, with their settings from evaluate.tuned "
                     "(may be [] if evaluate.learned is not)"),
      optional_texts("evaluate.learned", {},
                     "learned-optimizer model files (meta_train.model of `l2l meta-train`) to "
                     "compare; each entry is named after its method (\"l2l\")"),
      texts("evaluate.datasets", {"fer2013", "cifar10", "cifar100"},
            "data sets of the tasks (as task.dataset; task.num_classes and task.activation apply)",
            {"mnist", "fer2013", "cifar10", "cifar100", "cifar100_coarse", "h5:<file>",
             "idx:<prefix>"}),
      texts("evaluate.architectures", {"48-48"},
            "architectures \"input-hidden[-hidden...]\" of the tasks, e.g. \"48-48\", \"100-200\""),
      integers("evaluate.batch_sizes", {64}, 1, 1000000, "minibatch sizes of the tasks"),
      integers("evaluate.iterations", {400}, 1, 100000000, "iteration budgets of the tasks"),
      integer("evaluate.seeds", 5, 1, 100000,
              "seeds per task and optimizer (run.seed .. run.seed+seeds-1)"),
      integer("evaluate.record_every", 1, 1, 100000000,
              "iterations between true-objective evaluations (the last is always recorded)"),
      // [meta_train]: `l2o meta-train`, learning an optimizer on the [task] objective; seeds
      // from run.seed (episode streams "train", "validation"; cost set "cost-set").
      text("meta_train.method", "l2l",
           "meta-training method: \"l2l\" (Andrychowicz et al. 2016, gps-spec.md §16) or \"gps\" "
           "(guided policy search, Li & Malik 2017; [gps], one rank for now)",
           {"l2l", "gps"}),
      text("meta_train.checkpoint", "results/meta_train_checkpoint.h5",
           "training-state checkpoint, written atomically (continue with --resume)"),
      integer("meta_train.checkpoint_every", 10, 1, 100000000,
              "episodes between checkpoints (a multiple of l2l.episodes_per_update); also "
              "written at the end and on SIGTERM/SIGUSR1"),
      text("meta_train.model", "results/l2l_model.h5",
           "the delivered learned optimizer (l2l: best validated phi; gps: the per-group LSTM "
           "policies of the best-scoring iteration), for evaluate.learned"),
      integer("meta_train.cost_examples", 0, 0, 100000000,
              "size N_c of the cost set on which validation takes the true objective f: a fixed "
              "random subset of the training set (gps-spec.md §1.1); 0 = the full set"),
      // [l2l]: the L2L baseline (gps-spec.md §16); defaults are the spec's.
      integer("l2l.episodes", 2500, 1, 100000000,
              "training episodes E (a multiple of l2l.episodes_per_update)"),
      integer("l2l.horizon", 400, 1, 100000000, "steps T per episode (a multiple of truncation)"),
      integer("l2l.truncation", 20, 1, 100000000, "steps U per truncation (one meta-update each)"),
      real("l2l.learning_rate", 1e-3, 1e-300, kHuge, "Adam's learning rate on phi"),
      integer("l2l.validation_interval", 100, 1, 100000000,
              "episodes between validations (a multiple of episodes_per_update)"),
      integer("l2l.validation_episodes", 10, 1, 100000,
              "fixed validation episodes; loss (1/T) sum_t f(x^(t)) on the cost set"),
      real("l2l.preprocess_p", 10.0, 1e-300, kHuge, "p of the gradient preprocessing (§16.1)"),
      real("l2l.output_scale", 0.1, 1e-300, kHuge, "step = output_scale * network read-out"),
      integer("l2l.episodes_per_update", 1, 1, 100000,
              "episodes M averaged per meta-update, run in lockstep, episode m on rank m mod "
              "ranks (1 = the spec's single episode stream; results independent of ranks)"),
      // [gps]: GPS meta-training (gps-spec.md §12); defaults are §13's. Checkpoints after every
      // iteration (meta_train.checkpoint_every applies to l2l only).
      integer("gps.iterations", 50, 1, 100000000,
              "GPS iterations I_GPS (may grow on --resume to train longer)"),
      integer("gps.horizon", 400, 2, 100000000, "steps T per rollout"),
      integer("gps.rollouts", 20, 1, 100000000,
              "rollouts N of the sampling policies per iteration"),
      integer("gps.recorded_coordinates", 256, 1, 100000000,
              "coordinates C_max recorded per group and rollout (§3.3)"),
      text("gps.features", "paper",
           "observation/state features: \"paper\" (gps-spec.md §2), \"scale_free\" (gradient "
           "divided by its running RMS, §18.2 risk 1) or \"adaptive\" (§2 plus the AdaGrad and "
           "RMSprop directions, docs/gps-design.md)",
           {"paper", "scale_free", "adaptive"}),
      text("gps.step_control", "per_group",
           "KL step multipliers: \"per_group\" (§10) or \"global\" (one multiplier from psi's "
           "realised objective; a worse objective rejects the step, docs/gps-design.md)",
           {"per_group", "global"}),
      text("gps.own_step_response", "fitted",
           "dynamics' response of a coordinate's next gradient to its own step: \"fitted\" "
           "(§5), \"matched\" to the cost model's curvature, or \"privileged\": psi's state "
           "gains the cost-set gradient with that response (docs/gps-design.md)",
           {"fitted", "matched", "privileged"}),
      text("gps.curvature", "secant",
           "curvature the cost charges a step with: \"secant\" along the sampled move (§4), "
           "\"gradient\": at least the curvature along the cost-set gradient (one more "
           "cost-set gradient per step), \"objective\": the one that reproduces the realised "
           "change of the objective, or \"group_objective\": per group, from each group's own "
           "change of the objective (G - 1 more cost-set objectives per step; "
           "docs/gps-design.md)",
           {"secant", "gradient", "objective", "group_objective"}),
      text("gps.initial_state_covariance", "diagonal",
           "the dynamics' initial-state covariance on A(0): \"diagonal\" (§5.2) or the \"full\" "
           "empirical covariance of a coordinate's s_0 (docs/gps-design.md)",
           {"diagonal", "full"}),
      text("gps.dynamics_prior", "window",
           "NIW prior of the dynamics fit: \"window\" (the group's points of the steps within "
           "W_d of t, §5.1) or \"gmm\" (a Gaussian mixture over a subsample of all steps' "
           "points, §5.4; docs/gps-design.md)",
           {"window", "gmm"}),
      text("gps.sample_reuse", "none",
           "\"previous\": the GMM prior is also fitted on the previous iteration's subsample "
           "(needs gps.dynamics_prior = \"gmm\"); \"none\": this iteration's only",
           {"none", "previous"}),
      integer("gps.inner_iterations", 4, 1, 100000, "BADMM inner iterations R per iteration"),
      integer("gps.evaluation_rollouts", 4, 1, 100000,
              "deterministic test-time rollouts N_eval of the LSTM policies per iteration; their "
              "mean (1/T) sum_t f on the cost set picks the delivered model"),
      integer("gps.noise_free_rollouts", 0, 0, 100000,
              "rollouts of psi repeated without exploration noise (the first K sample rollouts' "
              "seeds) to record psi's noise-free cost per iteration; 0 = none"),
      real("gps.kl_step", 0.2, 1e-300, kHuge,
           "KL trust-region step epsilon_0 in nats per step and coordinate (§7.6)"),
      integer("gps.policy_hidden_size", 128, 1, 100000, "LSTM cells of each group's policy (§8.1)"),
      integer("gps.policy_max_steps", 200, 0, 100000000,
              "cap on Adam steps per policy update (§8.5)"),
      reals("gps.initial_learning_rates", {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0}, 1e-300,
            kHuge, "step sizes alpha of the initial controller's grid search (§11)"),
      reals("gps.initial_momentums", {0.0, 0.5, 0.8, 0.9}, 0.0, 0.999999,
            "momentum factors beta of the initial controller's grid search (§11)"),
      text("gps.initial_controller", "grid",
           "psi_0: \"grid\" (§11's search over momentum controllers) or \"adagrad\" / "
           "\"rmsprop\" (that optimizer exactly; needs gps.features = \"adaptive\")",
           {"grid", "adagrad", "rmsprop"}),
      optional_reals("gps.initial_group_learning_rates", {}, 1e-300, kHuge,
                     "adagrad/rmsprop start: learning rate per coordinate group in the net's "
                     "group order (one value: every group); empty: the tuned rate in "
                     "gps.initial_tuned"),
      text("gps.initial_tuned", "",
           "adagrad/rmsprop start: `l2o tune` output whose /chosen/<optimizer> learning rate "
           "every group gets (used when gps.initial_group_learning_rates is empty)"),
      integer("gps.initial_pilot_rollouts", 3, 1, 100000,
              "noise-free pilot rollouts per grid candidate of the initial controller (§11)"),
      integer("gps.initial_score_stride", 10, 1, 100000000,
              "the initial controller's score averages f_t at t = stride, 2 stride, ... <= T"),
      text("gps.local_optimizer", "lqg",
           "how psi improves: \"lqg\" (the spec's model-based LQG step, §7) or \"es\" (evolution "
           "strategies on the true meta-loss over an AdaGrad/RMSprop-containing controller "
           "family, docs/gps-design.md); es uses gps.iterations as generations, gps.horizon, "
           "gps.initial_score_stride and the gps.es_* keys",
           {"lqg", "es"}),
      text("gps.es_start", "adagrad", "es: the tuned optimizer psi starts from exactly",
           {"adagrad", "rmsprop"}),
      real("gps.es_start_learning_rate", 0.1, 1e-300, kHuge,
           "es: the start's tuned learning rate (docs/results/baselines.md: adagrad 0.1)"),
      real("gps.es_start_alpha", 0.999, 0.0, 0.999999, "es: the start's alpha if rmsprop"),
      integer("gps.es_knots", 3, 1, 1000,
              "es: learning-rate knots per group, log-spaced in 1 + t over the horizon"),
      integer("gps.es_pairs", 8, 1, 100000,
              "es: antithetic pairs per generation (member m on rank m mod ranks)"),
      real("gps.es_sigma", 0.1, 1e-300, kHuge, "es: perturbation std in normalised units"),
      real("gps.es_learning_rate", 0.1, 1e-300, kHuge,
           "es: step per unit of the normalised gradient estimate"),
      real("gps.es_trust_radius", 0.2, 1e-300, kHuge,
           "es: bound on the Euclidean norm of a generation's step in normalised units"),
      real("gps.es_momentum_scale", 1.0, 1e-300, kHuge,
           "es: change of the momentum beta per normalised unit"),
      real("gps.es_decay_scale", 0.1, 1e-300, kHuge,
           "es: change of the second-moment decay rho per normalised unit"),
      optional_texts("gps.es_task_variants", {},
                     "es: extra instances of the training task to meta-train on, each a list of "
                     "\"task.<key>=<value>\" assignments separated by \";\" (pair, rollout k on "
                     "instance k mod n; the same parameter groups)"),
      text("gps.es_model", "",
           "es: psi's model file when gps.imitation_rounds > 0 (pi then goes to meta_train.model)"),
      integer("gps.imitation_rounds", 0, 0, 1000000,
              "es: rounds of imitation of psi by the LSTM policy pi after the generations "
              "(docs/gps-design.md \"Imitation of psi\"); 0: the model is psi"),
      integer("gps.imitation_rollouts", 8, 1, 100000,
              "es: recorded rollouts per imitation round (rollout k on rank k mod ranks)"),
      real("gps.imitation_policy_fraction", 0.5, 0.0, 1.0,
           "es: share of an imitation round's rollouts driven by pi (from round 1; DAgger-style)"),
      integer("gps.imitation_evaluation_rollouts", 8, 1, 100000,
              "es: rollouts on which pi and psi are scored after every imitation round"),
      real("gps.relative_max_log_factor", 2.0, 1e-6, 50.0,
           "es: L, pi's step factor on psi's direction stays in [e^-L, e^L]"),
  };
  return schema;
}

bool matches_choice(const std::string& choice, const std::string& value) {
  // "h5:<file>" stands for "h5:" followed by any non-empty text.
  const std::size_t placeholder = choice.find(":<");
  if (placeholder == std::string::npos || choice.back() != '>') return value == choice;
  const std::size_t prefix = placeholder + 1;
  return value.size() > prefix && value.compare(0, prefix, choice, 0, prefix) == 0;
}

bool is_allowed_choice(const KeySpec& spec, const std::string& value) {
  if (spec.choices.empty()) return true;
  for (const auto& choice : spec.choices)
    if (matches_choice(choice, value)) return true;
  return false;
}

const KeySpec* find_key(const std::string& key) {
  for (const auto& spec : config_schema())
    if (spec.key == key) return &spec;
  return nullptr;
}

std::string closest_key(const std::string& key) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& spec : config_schema()) {
    const std::size_t d = edit_distance(key, spec.key);
    if (d < best_distance) {
      best_distance = d;
      best = spec.key;
    }
  }
  return best;
}

std::string describe_allowed(const KeySpec& spec) {
  const bool integral = spec.type == KeyType::integer || spec.type == KeyType::integer_list;
  auto number = [integral](double v) {
    std::ostringstream out;
    if (v >= 1e15 || v <= -1e15)
      out << (v > 0 ? "inf" : "-inf");
    else if (integral)
      out << static_cast<std::int64_t>(v);
    else
      out << v;
    return out.str();
  };
  const std::string range =
      spec.has_range ? " in [" + number(spec.min) + ", " + number(spec.max) + "]" : "";
  switch (spec.type) {
    case KeyType::integer:
      return "an integer" + range;
    case KeyType::real:
      return "a number" + range;
    case KeyType::boolean:
      return "true or false";
    case KeyType::integer_list:
      return "a non-empty list of integers each" + range;
    case KeyType::number_table:
      return "a table of numbers, { name = value, ... }";
    case KeyType::real_list:
      return (spec.allow_empty ? "a list of numbers each" : "a non-empty list of numbers each") +
             range;
    case KeyType::string_list: {
      const std::string list =
          spec.allow_empty ? "a list of strings" : "a non-empty list of strings";
      if (spec.choices.empty()) return list;
      std::string all;
      for (const auto& c : spec.choices) all += (all.empty() ? "" : ", ") + ("\"" + c + "\"");
      return list + ", each one of " + all;
    }
    case KeyType::string: {
      if (spec.choices.empty()) return "a string";
      std::string all;
      for (const auto& c : spec.choices) all += (all.empty() ? "" : ", ") + ("\"" + c + "\"");
      return "one of " + all;
    }
  }
  return "";
}

}  // namespace l2o
