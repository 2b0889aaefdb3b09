#pragma once
// How the processes of talentcast ask glibc's malloc to behave (docs/performance.md).

namespace talentcast::core {

/// Makes glibc's malloc grow its heap 64 MB at a time (M_TOP_PAD) instead of 128 KB. A short
/// run sets up thousands of percentile sketches whose windows grow in small steps; with the
/// default, each step past the heap's top is a system call, and the heap is trimmed back and
/// grown again between a sweep's points. Only address space is reserved: pages become resident
/// when written, so peak memory does not change. Call once, first thing in main(); without
/// glibc it does nothing.
void tune_allocator() noexcept;

}  // namespace talentcast::core
