#include "app/progress_reporter.hpp"

#include <cstdio>

namespace l2o {

ProgressReporter::ProgressReporter(std::string label, std::int64_t total_work, std::int64_t every,
                                   bool quiet)
    : label_(std::move(label)),
      total_(total_work),
      every_(every < 1 ? 1 : every),
      quiet_(quiet),
      start_(std::chrono::steady_clock::now()) {}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::update(std::int64_t done, const std::string& what) {
  if (quiet_) return;
  if (done != total_ && last_reported_ >= 0 && done - last_reported_ < every_) return;
  last_reported_ = done;
  const double elapsed = elapsed_seconds();
  const double eta =
      done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  std::fprintf(stderr, "[%s] %lld/%lld %s elapsed %s ETA %s\n", label_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), what.c_str(),
               format_duration(elapsed).c_str(), done > 0 ? format_duration(eta).c_str() : "?");
}

std::string format_duration(double seconds) {
  char buffer[32];
  if (seconds < 60.0)
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  else if (seconds < 3600.0)
    std::snprintf(buffer, sizeof buffer, "%dm%02ds", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  (static_cast<int>(seconds) % 3600) / 60);
  return buffer;
}

}  // namespace l2o
