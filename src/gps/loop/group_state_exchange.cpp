#include "gps/loop/group_state_exchange.hpp"

#include <stdexcept>

#include "dist/word_archive.hpp"
#include "dist/word_gather.hpp"

namespace l2o {
namespace {

// One field list per type, used by WordWriter (pack on the owner) and WordReader (unpack).

template <class Archive>
void exchange(Archive& a, LinearGaussianPolicy& p) {
  a(p.gain);
  a(p.bias);
  a(p.variance);
}

template <class Archive>
void exchange(Archive& a, BadmmDuals& d) {
  a(d.lambda);
  a(d.nu);
}

template <class Archive>
void exchange(Archive& a, GpsGroupState& g) {
  exchange(a, g.sampling_policy);
  exchange(a, g.previous_sampling_policy);
  a(g.eta);
  a(g.step_multiplier);
  exchange(a, g.duals);
  a(g.units.state_scale);
  a(g.units.action_scale);
  a(g.cost_normaliser);
  a(g.previous_dynamics.transition);
  a(g.previous_dynamics.offset);
  a(g.previous_dynamics.noise_cov);
  a(g.previous_dynamics.initial_mean);
  a(g.previous_dynamics.initial_cov);
  a(g.previous_cost.hessian);
  a(g.previous_cost.gradient);
  exchange(a, g.previous_linearisation);
}

template <class Archive>
void exchange(Archive& a, StepSeriesSummary& s) {
  a(s.min);
  a(s.median);
  a(s.mean);
  a(s.max);
  a(s.argmin);
  a(s.argmax);
}

template <class Archive>
void exchange(Archive& a, GroupDiagnostics& d) {
  a(d.iteration);
  a(d.group);
  a(d.eta);
  a(d.kl_bound);
  a(d.trust_region_kl);
  a(d.dgd_iterations);
  a(d.dgd_converged);
  a(d.constraint_slack);
  a(d.policy_kl_before);
  a(d.policy_kl_after);
  a(d.predicted_improvement);
  a(d.actual_improvement);
  a(d.predicted_cost_improvement);
  a(d.model_cost);
  a(d.sample_cost);
  a(d.step_multiplier);
  a(d.step_accepted);
  exchange(a, d.gradient_r_squared);
  exchange(a, d.cost_condition);
  exchange(a, d.dynamics_condition);
  exchange(a, d.linearisation_condition);
  exchange(a, d.curvature);
  exchange(a, d.own_step_response);
}

template <class Archive>
void exchange(Archive& a, DgdResult& r) {
  a(r.eta);
  a(r.kl);
  a(r.epsilon);
  a(r.iterations);
  a(r.converged);
  a(r.constraint_slack);
}

// Packs `fields` on the owner, broadcasts, unpacks on the other ranks.
template <class Fields>
void broadcast_fields(int owner, Fields&& fields) {
  std::vector<std::uint64_t> words;
  if (world_rank() == owner) {
    WordWriter writer;
    fields(writer);
    words = writer.take();
  }
  broadcast_words(owner, words);
  if (world_rank() != owner) {
    WordReader reader(words);
    fields(reader);
    if (!reader.at_end()) throw std::invalid_argument("broadcast_fields: trailing words");
  }
}

}  // namespace

void broadcast_psi_step(int owner, LinearGaussianPolicy& psi, BadmmDuals& duals, double& eta) {
  broadcast_fields(owner, [&](auto& archive) {
    exchange(archive, psi);
    exchange(archive, duals);
    archive(eta);
  });
}

void broadcast_group_results(int owner, GpsGroupState& group, GroupDiagnostics& diagnostics,
                             std::vector<DgdResult>& dgd) {
  broadcast_fields(owner, [&](auto& archive) {
    exchange(archive, group);
    exchange(archive, diagnostics);
    auto count = static_cast<std::int64_t>(dgd.size());
    archive(count);
    dgd.resize(static_cast<std::size_t>(count));
    for (DgdResult& result : dgd) exchange(archive, result);
  });
}

}  // namespace l2o
