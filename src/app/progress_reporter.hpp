#pragma once
// Progress lines on stderr for long work: what, iteration, objective, elapsed time and ETA.
#include <chrono>
#include <cstdint>
#include <string>

namespace l2o {

/// Prints at most one line per `every` units of work; silent when quiet.
class ProgressReporter {
 public:
  ProgressReporter(std::string label, std::int64_t total_work, std::int64_t every, bool quiet);
  /// Reports that `done` of the total work units are complete; `what` describes the state.
  void update(std::int64_t done, const std::string& what);
  /// Seconds since construction.
  [[nodiscard]] double elapsed_seconds() const;

 private:
  std::string label_;
  std::int64_t total_;
  std::int64_t every_;
  bool quiet_;
  std::int64_t last_reported_ = -1;
  std::chrono::steady_clock::time_point start_;
};

/// "1.5s", "2m03s", "1h02m" style durations.
std::string format_duration(double seconds);

}  // namespace l2o
