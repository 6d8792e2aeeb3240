// Global step control (global_step_control.hpp): §10's rule on the summed predicted and the
// realised improvement, and rejection of a step that made the objective worse.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "gps/loop/global_step_control.hpp"

TEST_CASE("Global step control: §10's rule in true-objective units, rejection on a loss",
          "[gps_step_control]") {
  const l2o::StepSizeParams params;
  // Realised = predicted: the penalty is the floor, r = 0.01 / 2e-4 = 50 -> clipped to 5.
  l2o::GlobalStepDecision d = l2o::global_step_decision(0.5, 0.01, 0.01, params);
  CHECK(d.accepted);
  CHECK(d.multiplier == 2.5);
  // Over-predicted 10x: r = 0.05 / (2 * 0.045) = 0.5556, kept.
  d = l2o::global_step_decision(0.5, 0.05, 0.005, params);
  CHECK(d.accepted);
  CHECK(d.multiplier == Approx(0.5 * 0.05 / 0.09).epsilon(1e-14));
  // The objective got worse: rejected, and the multiplier shrinks (r = 0.02 / 0.06 = 1/3).
  d = l2o::global_step_decision(0.5, 0.02, -0.01, params);
  CHECK_FALSE(d.accepted);
  CHECK(d.multiplier == Approx(0.5 / 3.0).epsilon(1e-14));
  // A multiplier at the floor stays there; no improvement is not a loss.
  d = l2o::global_step_decision(0.01, 0.02, -0.5, params);
  CHECK(d.multiplier == params.multiplier_min);
  CHECK(l2o::global_step_decision(1.0, 0.01, 0.0, params).accepted);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(l2o::global_step_decision(1.0, nan, 0.0, params), std::invalid_argument);
  CHECK_THROWS_AS(l2o::global_step_decision(1.0, 0.0, nan, params), std::invalid_argument);
}
