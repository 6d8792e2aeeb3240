#pragma once
// Errors of the GPS fits (dynamics, cost model, policy linearisation, scales) that name the
// group, GPS iteration and time step, so a failing run can be traced to its data (brief:
// "non-finite fits throw, naming group, iteration and time step").
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace l2o {

/// Where a fit runs, for error messages (-1 = unknown).
struct FitContext {
  int group = -1;      ///< coordinate group g
  int iteration = -1;  ///< GPS iteration i
};

/// A numerical failure of one fit.
class FitError : public std::runtime_error {
 public:
  /// Message "<fit> failure (group g, iteration i, time step t): <what>".
  FitError(const std::string& fit, const FitContext& context, int time_step,
           const std::string& what);
  /// Group named in the message.
  [[nodiscard]] int group() const { return context_.group; }
  /// GPS iteration named in the message.
  [[nodiscard]] int iteration() const { return context_.iteration; }
  /// Time step named in the message (-1 when not tied to one step).
  [[nodiscard]] int time_step() const { return time_step_; }

 private:
  FitContext context_;
  int time_step_;
};

/// Runs body(t) for t = 0..steps-1 in parallel (OpenMP) and rethrows the exception of the
/// earliest failing step, so the reported error does not depend on the thread count.
template <class Body>
void parallel_for_steps(int steps, const Body& body) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(steps));
#pragma omp parallel for schedule(dynamic)
  for (int t = 0; t < steps; ++t) {
    try {
      body(t);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace l2o
