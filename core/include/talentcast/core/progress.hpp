#pragma once
// A progress bar on stderr for long runs: paths done, rate and time left. It draws only when
// stderr is a terminal and it is enabled, and redraws at most ten times a second.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace talentcast::core {

class ProgressBar {
 public:
  /// enabled: the caller's wish (false with --quiet); the bar also stays off when stderr is not
  /// a terminal, so logs and CI output stay clean.
  ProgressBar(std::uint64_t total, std::string unit, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::uint64_t done);
  /// Clears the bar's line.
  void finish();
  bool active() const noexcept { return active_; }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  std::string unit_;
  bool active_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

}  // namespace talentcast::core
