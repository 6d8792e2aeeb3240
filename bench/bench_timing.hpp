#pragma once
// Timing helpers shared by the bench/ programs: medians of repeated calls, the machine's load
// average (printed next to every figure because the shared machine's load changes timings 2-10x)
// and the Eigen GEMM rate measured in the same run (the roofline reference of docs/benchmarks.md).
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <ctime>
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

/// Process CPU time in microseconds (all threads).
inline double process_cpu_microseconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) * 1e-3;
}

/// Medians of one call's wall time and of its process CPU time.
struct CallTimes {
  double wall_microseconds = 0.0;
  /// CPU time of all threads: on a loaded machine a call longer than a scheduler time slice
  /// also waits for other processes, which its wall time counts and its CPU time does not.
  double cpu_microseconds = 0.0;
};

/// As median_microseconds, and the median CPU time of the same calls.
template <class Run>
CallTimes median_call_times(Run&& run, double seconds, int warmups = 2) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmups; ++i) run();
  std::vector<double> walls, cpus;
  const auto start = Clock::now();
  while (walls.size() < 5 || seconds_since(start) < seconds) {
    const auto t0 = Clock::now();
    const double cpu0 = process_cpu_microseconds();
    run();
    cpus.push_back(process_cpu_microseconds() - cpu0);
    walls.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  return {median(std::move(walls)), median(std::move(cpus))};
}

/// Median time and rate of one Eigen GEMM.
struct GemmRate {
  double microseconds = 0.0;  ///< median wall time of one product
  double gflops = 0.0;        ///< 2 m k n / that time
};

/// Median time of C (m x n) = A (m x k) * B (k x n), random operands, with the caller's Eigen and
/// OpenMP thread settings, over about `seconds` of calls.
template <class Scalar>
GemmRate gemm_rate(Eigen::Index m, Eigen::Index k, Eigen::Index n, double seconds) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Matrix a = Matrix::Random(m, k), b = Matrix::Random(k, n);
  Matrix c(m, n);
  const double us = median_microseconds([&] { c.noalias() = a * b; }, seconds);
  return {us, 2.0 * static_cast<double>(m) * k * n / us * 1e-3};
}

/// The machine's GEMM peak reference: a cache-friendly square 512^3 product, which is Eigen's
/// best case on this host (a single call of a tall shape such as N x 132 x 512 runs below it).
template <class Scalar>
GemmRate gemm_peak(double seconds) {
  return gemm_rate<Scalar>(512, 512, 512, seconds);
}

}  // namespace l2o::bench
