#include "util/available_memory.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "util/error.hpp"

namespace l2o {

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string name, unit;
    std::uint64_t kilobytes = 0;
    if (fields >> name >> kilobytes >> unit && name == "MemAvailable:" && unit == "kB")
      return kilobytes * 1024;
  }
  const long pages = ::sysconf(_SC_AVPHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0)
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
  return std::numeric_limits<std::uint64_t>::max();
}

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 6) {
    value /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

void require_memory(std::uint64_t bytes, const std::string& what, const std::string& fix) {
  const std::uint64_t available = available_memory_bytes();
  if (bytes <= available) return;
  throw InputError(what + " needs " + std::to_string(bytes) + " bytes (" + human_bytes(bytes) +
                   ") but " + human_bytes(available) + " is available; " + fix);
}

}  // namespace l2o
