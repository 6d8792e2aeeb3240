#pragma once
// One step multiplier for all groups, driven by the realised objective (issue 16 item 2,
// docs/gps-design.md "Step control"). §10 adapts each group's m_g from that group's predicted and
// "actual" improvement, both Laplace estimates of local models; the per-group "actual" is
// confounded (the weight groups' steps leave less gradient for the biases, so a bias group's cost
// share rises while the objective falls) and both come from the models whose error is the
// problem. Here the predicted improvement is the sum over groups in true-objective units, and the
// realised one is the measured change of psi-hat's mean sample cost; §10's rule maps the pair to
// the common multiplier, and a realised loss rejects the step (psi returns to psi_prev).
#include "gps/lqg/step_size.hpp"

namespace l2o {

/// The common multiplier and whether psi-hat is kept.
struct GlobalStepDecision {
  double multiplier = 1.0;  ///< m for every group: §10's rule on (predicted, realised)
  bool accepted = true;     ///< false: the realised objective got worse, return to psi_prev
};

/// §10's rule (adapt_step_multiplier) on the summed predicted and the realised improvement of
/// psi's mean objective over the horizon; accepted iff realised >= 0. Both improvements must be
/// finite (std::invalid_argument otherwise).
GlobalStepDecision global_step_decision(double multiplier, double predicted, double realised,
                                        const StepSizeParams& params);

}  // namespace l2o
