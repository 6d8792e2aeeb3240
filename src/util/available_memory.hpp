#pragma once
// How much memory this process may still allocate, so that a task too large for the machine is
// refused with the bytes it needs before the allocation (which would end in std::bad_alloc or the
// OOM killer, far from the key that caused it).
#include <cstdint>
#include <string>

namespace l2o {

/// Bytes the system can give now: MemAvailable of /proc/meminfo, else free physical pages
/// (sysconf), else the largest uint64 (unknown: nothing is refused).
std::uint64_t available_memory_bytes();

/// "12.3 GB" style rendering of a byte count (decimal units, as `free -h --si`).
std::string human_bytes(std::uint64_t bytes);

/// Throws InputError "<what> needs <bytes> bytes (<human>) but <available> is available; <fix>"
/// if `bytes` exceeds available_memory_bytes().
void require_memory(std::uint64_t bytes, const std::string& what, const std::string& fix);

}  // namespace l2o
