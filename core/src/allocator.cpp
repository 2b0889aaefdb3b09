#include "talentcast/core/allocator.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace talentcast::core {

void tune_allocator() noexcept {
#if defined(__GLIBC__)
  // Measured (docs/performance.md): a 40-point sweep of 512 paths a point 0.88 of its time,
  // compare at 5,000 paths about 0.95, a 40,000-path run unchanged; peak memory unchanged.
  // Setting it also fixes glibc's mmap threshold at its default (no dynamic adjustment).
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace talentcast::core
