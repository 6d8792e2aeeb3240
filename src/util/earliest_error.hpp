#pragma once
// Exceptions of the iterations of an OpenMP loop. An exception must not leave a parallel region,
// so each iteration stores its own, and after the loop the one of the lowest failing index is
// rethrown with its original type: the error a caller sees is the one a serial loop would have
// thrown first, whatever the thread count and timing.
#include <cstddef>
#include <exception>
#include <vector>

namespace l2o {

/// One exception slot per loop index.
class EarliestError {
 public:
  explicit EarliestError(std::size_t count) : errors_(count) {}

  /// Runs body(); an exception it throws is kept in slot `index`. Safe to call concurrently for
  /// distinct indices.
  template <class Body>
  void run(std::size_t index, const Body& body) noexcept {
    try {
      body();
    } catch (...) {
      errors_[index] = std::current_exception();
    }
  }

  /// Rethrows the exception of the lowest failing index, if any (call after the loop).
  void rethrow() const {
    for (const std::exception_ptr& error : errors_) {
      if (error) std::rethrow_exception(error);
    }
  }

 private:
  std::vector<std::exception_ptr> errors_;
};

}  // namespace l2o
