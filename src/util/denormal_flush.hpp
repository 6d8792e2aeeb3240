#pragma once
// Flush-to-zero and denormals-are-zero for the calling thread while in scope: the x86 MXCSR bits
// FTZ (a denormal result becomes 0) and DAZ (a denormal operand reads as 0); a no-op without SSE.
// Why: backpropagating through saturated LSTM gates produces denormal floats, which x86 cores
// execute through a microcode assist about 100x slower than normal numbers. On the workstation
// GPS config the policy phase took 37 % longer for it (issue 17, docs/benchmarks.md). Flushing
// changes a result only where a denormal would otherwise have reached a normal number; on that
// config every recorded number was bitwise unchanged. MXCSR is per thread: each OpenMP thread
// that computes needs its own guard.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace l2o {

class DenormalFlush {
 public:
#if defined(__SSE__)
  static constexpr unsigned kBits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
  DenormalFlush() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | kBits);
  }
  ~DenormalFlush() {
    _mm_setcsr(saved_);
  }
#else
  DenormalFlush() = default;
#endif
  DenormalFlush(const DenormalFlush&) = delete;
  DenormalFlush& operator=(const DenormalFlush&) = delete;

 private:
#if defined(__SSE__)
  unsigned saved_;
#endif
};

}  // namespace l2o
