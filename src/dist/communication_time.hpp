#pragma once
// Wall-clock time spent inside the dist layer's collectives, so callers can report communication
// separately from computation (gps-spec.md §14). A per-process running total; not deterministic
// and never part of a result.
namespace l2o {

/// Seconds this process has spent in the word collectives (word_gather.hpp) since it started.
double communication_seconds();

/// Adds its lifetime to communication_seconds(); one around every collective.
class CommunicationTimer {
 public:
  CommunicationTimer();
  CommunicationTimer(const CommunicationTimer&) = delete;
  CommunicationTimer& operator=(const CommunicationTimer&) = delete;
  ~CommunicationTimer();

 private:
  double start_;
};

}  // namespace l2o
