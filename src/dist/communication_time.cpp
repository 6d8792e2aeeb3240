#include "dist/communication_time.hpp"

#include <chrono>

namespace l2o {
namespace {

double total_seconds = 0.0;  // collectives run on the main thread only

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

double communication_seconds() {
  return total_seconds;
}

CommunicationTimer::CommunicationTimer() : start_(now()) {}

CommunicationTimer::~CommunicationTimer() {
  total_seconds += now() - start_;
}

}  // namespace l2o
