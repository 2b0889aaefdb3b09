#pragma once
// Ctrl-C (SIGINT) and SIGTERM while a command runs: they set a flag that the engine polls
// between blocks of paths (and a sweep between points); the previous handlers come back when
// the guard goes.

#include <atomic>

namespace talentcast::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// True once Ctrl-C or SIGTERM arrived.
  const std::atomic<bool>& flag() const;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

}  // namespace talentcast::cli
