#pragma once
// Timing helpers shared by the bench/ programs: medians of repeated calls and the machine's load
// average, printed next to every figure because the shared machine's load changes timings 2-10x.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace l2o::bench {

/// "1.23 0.98 0.75": the 1-, 5- and 15-minute load averages.
inline std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

/// Seconds elapsed since `start`.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The median (upper median for an even count) of `values`.
inline double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

/// Median wall time in microseconds of `run`, after `warmups` untimed calls, over at least 5
/// calls and about `seconds` of calls.
template <class Run>
double median_microseconds(Run&& run, double seconds, int warmups = 2) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmups; ++i) run();
  std::vector<double> times;
  const auto start = Clock::now();
  while (times.size() < 5 || seconds_since(start) < seconds) {
    const auto t0 = Clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  return median(std::move(times));
}

}  // namespace l2o::bench
